package ctl

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

// awsmodel.json is the AWS CLI's view of the EC2 commands ec2lab serves
// (one per Query API action), written from the installed AWS CLI and
// botocore by testdata/genmodel.py: each command's operation, input and
// output shapes, the options the AWS CLI requires (in its order), the
// option that gives each input member, and whether it paginates; and the
// shapes those reach. model_test.go checks it is current.
//
//go:embed awsmodel.json
var awsModelJSON []byte

// awsmodel_autoscaling.json is the same for the Auto Scaling commands
// (`ec2ctl autoscaling`), from `genmodel.py autoscaling`.
//
//go:embed awsmodel_autoscaling.json
var awsAutoScalingModelJSON []byte

// cliModel is awsmodel.json.
type cliModel struct {
	Verbs   map[string]*cliVerb   `json:"verbs"`
	Shapes  map[string]*cliShape  `json:"shapes"`
	Waiters map[string]*cliWaiter `json:"waiters"`
}

// cliWaiter is one of botocore's waiters.
type cliWaiter struct {
	Name        string     `json:"name"`
	Op          string     `json:"op"`
	Delay       int        `json:"delay"`
	MaxAttempts int        `json:"maxAttempts"`
	Acceptors   []acceptor `json:"acceptors"`
}

// cliVerb is one command of the model.
type cliVerb struct {
	Op        string            `json:"op"`
	In        string            `json:"in"`
	Out       string            `json:"out"`
	Required  []string          `json:"required"`
	Args      map[string]string `json:"args"` // input member -> option
	Paginated bool              `json:"paginated"`
	model     *cliModel         // the model the verb is in (its shapes)
}

// cliShape is one botocore shape: its type, and its members (structure),
// element (list), value (map) or first enum value (string).
type cliShape struct {
	Type    string      `json:"type"`
	Members [][2]string `json:"members"`
	Member  string      `json:"member"`
	Value   string      `json:"value"`
	Enum    string      `json:"enum"`
}

// loadModel is the EC2 model; loadAutoScalingModel Auto Scaling's.
var (
	loadModel            = sync.OnceValue(func() *cliModel { return parseModel("awsmodel.json", awsModelJSON) })
	loadAutoScalingModel = sync.OnceValue(func() *cliModel {
		return parseModel("awsmodel_autoscaling.json", awsAutoScalingModelJSON)
	})
)

func parseModel(name string, b []byte) *cliModel {
	m := &cliModel{}
	if err := json.Unmarshal(b, m); err != nil {
		panic(fmt.Sprintf("ctl: %s: %v", name, err))
	}
	for _, v := range m.Verbs {
		v.model = m
	}
	return m
}

// skeleton returns a sample document of shape as the AWS CLI's
// --generate-cli-skeleton writes it (botocore's ArgumentGenerator): for
// input, strings are "" (or an enum's value), for output (memberNames)
// the member's name; numbers 0, booleans true, lists one element, maps
// one "KeyName" entry, and a structure met again inside itself {}.
func skeleton(m *cliModel, shapeName string, memberNames bool) any {
	var gen func(name, label string, stack []string) any
	gen = func(name, label string, stack []string) any {
		sh := m.Shapes[name]
		if sh == nil {
			return nil
		}
		stack = append(stack, name)
		switch sh.Type {
		case "structure":
			if count(stack, name) > 1 {
				return NewObject()
			}
			o := NewObject()
			for _, mem := range sh.Members {
				o.Set(mem[0], gen(mem[1], mem[0], stack))
			}
			return o
		case "list":
			label := ""
			if memberNames {
				label = sh.Member
			}
			return []any{gen(sh.Member, label, stack)}
		case "map":
			return NewObject().Set("KeyName", gen(sh.Value, "", stack))
		case "string":
			switch {
			case memberNames:
				return label
			case sh.Enum != "":
				return sh.Enum
			}
			return ""
		case "integer", "long":
			return int64(0)
		case "float", "double":
			return json.Number("0.0")
		case "boolean":
			return true
		case "timestamp":
			return "1970-01-01T00:00:00"
		}
		return nil
	}
	return gen(shapeName, "", nil)
}

func count(stack []string, name string) int {
	n := 0
	for _, s := range stack {
		if s == name {
			n++
		}
	}
	return n
}
