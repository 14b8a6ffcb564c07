package controller_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/crypto/ssh"
	"google.golang.org/grpc/codes"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestRunCountsRefusedOnBothEdges: MinCount/MaxCount of zero, negative or
// MinCount above MaxCount are InvalidParameterValue on the gRPC edge and
// through the AWS SDK (before, 0/0 launched one instance on both), and
// nothing is launched; a valid 1/1 launches one.
func TestRunCountsRefusedOnBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g, q := e.grpc[rig.Acct1], e.sdk[rig.Acct1]
	count := func() int {
		t.Helper()
		out, err := g.DescribeInstances(ctx, &v1.DescribeInstancesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range out.GetReservations() {
			n += len(r.GetInstances())
		}
		return n
	}
	before := count()
	tests := []struct {
		name          string
		min, max      int32
		wantInMessage string
	}{
		{"both zero", 0, 0, "Value (0) for parameter minCount is invalid"},
		{"MinCount zero", 0, 1, "Value (0) for parameter minCount is invalid"},
		{"MaxCount zero", 1, 0, "Value (0) for parameter maxCount is invalid"},
		{"MinCount above MaxCount", 3, 2, "Value (3) for parameter minCount is invalid"},
		{"negative MinCount", -1, 1, "Value (-1) for parameter minCount is invalid"},
		{"negative MaxCount", 1, -2, "Value (-2) for parameter maxCount is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, gerr := g.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: rig.AMI, InstanceType: "lab.tiny", MinCount: tt.min, MaxCount: tt.max})
			if got := grpcOutcome(gerr); got.code != ec2err.InvalidParameterValue || got.grpcCode != codes.InvalidArgument {
				t.Errorf("gRPC edge: %+v (%v), want InvalidParameterValue / InvalidArgument", got, gerr)
			}
			_, qerr := q.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(rig.AMI), InstanceType: types.InstanceType("lab.tiny"),
				MinCount: aws.Int32(tt.min), MaxCount: aws.Int32(tt.max)})
			if got := sdkOutcome(qerr); got.code != ec2err.InvalidParameterValue || got.httpState != http.StatusBadRequest {
				t.Errorf("Query API: %+v (%v), want InvalidParameterValue / 400", got, qerr)
			}
			for _, err := range []error{gerr, qerr} {
				if err == nil || !strings.Contains(err.Error(), tt.wantInMessage) {
					t.Errorf("message %v, want it to contain %q", err, tt.wantInMessage)
				}
			}
		})
	}
	if got := count(); got != before {
		t.Fatalf("%d instances after the refused launches, want %d (nothing launched)", got, before)
	}
	if _, err := g.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: rig.AMI, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1}); err != nil {
		t.Fatalf("MinCount=MaxCount=1: %v", err)
	}
	if got := count(); got != before+1 {
		t.Errorf("%d instances after a valid launch, want %d", got, before+1)
	}
}

// rsaLine is an OpenSSH authorized_keys line for an RSA public key with a
// random modulus of bits (never used to sign, so no primes are needed).
func rsaLine(t *testing.T, bits int) []byte {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	if err != nil {
		t.Fatal(err)
	}
	n.SetBit(n, bits-1, 1).SetBit(n, 0, 1)
	pk, err := ssh.NewPublicKey(&rsa.PublicKey{N: n, E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	return append(ssh.MarshalAuthorizedKey(pk)[:len(ssh.MarshalAuthorizedKey(pk))-1], " lab@host"...)
}

// TestImportKeyPairBoundedOnBothEdges: ImportKeyPair refuses key material
// over controller.MaxPublicKeyMaterial and RSA keys outside 1024–4096 bits
// with InvalidKey.Format on the gRPC edge and through the AWS SDK, and
// records nothing; RSA 4096 (the largest EC2 imports) and ED25519 pass.
func TestImportKeyPairBoundedOnBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g, q := e.grpc[rig.Acct1], e.sdk[rig.Acct1]
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edKey, err := ssh.NewPublicKey(edPub)
	if err != nil {
		t.Fatal(err)
	}
	ed := ssh.MarshalAuthorizedKey(edKey)
	rsa4096 := rsaLine(t, 4096)
	if len(rsa4096) > 800 {
		t.Fatalf("an RSA 4096 line is %d bytes, expected about 740", len(rsa4096))
	}
	tests := []struct {
		name     string
		material []byte
		code     string // "" imports
	}{
		{"RSA 4096", rsa4096, ""},
		{"RSA 2048", rsaLine(t, 2048), ""},
		{"ED25519", ed, ""},
		{"RSA 8192", rsaLine(t, 8192), ec2err.InvalidKeyFormat},
		{"RSA 768", rsaLine(t, 768), ec2err.InvalidKeyFormat},
		{"a valid key with a comment past the limit", append(ed[:len(ed)-1], " "+strings.Repeat("c", controller.MaxPublicKeyMaterial)...),
			ec2err.InvalidKeyFormat},
		{"64 KiB of noise", make([]byte, 64<<10), ec2err.InvalidKeyFormat},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("key-%d", i)
			_, gerr := g.ImportKeyPair(ctx, &v1.ImportKeyPairRequest{KeyName: name + "-grpc", PublicKeyMaterial: tt.material})
			_, qerr := q.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String(name + "-sdk"), PublicKeyMaterial: tt.material})
			if got := grpcOutcome(gerr); gerr != nil && got.code != tt.code || gerr == nil && tt.code != "" {
				t.Errorf("gRPC edge: %+v (%v), want %q", got, gerr, tt.code)
			}
			if got := sdkOutcome(qerr); got.code != tt.code || tt.code != "" && got.httpState != http.StatusBadRequest {
				t.Errorf("Query API: %+v (%v), want %q", got, qerr, tt.code)
			}
			out, err := g.DescribeKeyPairs(ctx, &v1.DescribeKeyPairsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			recorded := 0
			for _, kp := range out.GetKeyPairs() {
				if strings.HasPrefix(kp.GetKeyName(), name+"-") {
					recorded++
				}
			}
			if want := map[bool]int{true: 2, false: 0}[tt.code == ""]; recorded != want {
				t.Errorf("%d key pairs recorded, want %d", recorded, want)
			}
		})
	}
}
