package controller

import (
	"context"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
)

// NoPreference clears an account default (ModifyInstanceMetadataDefaults).
const NoPreference = "no-preference"

// MetadataDefaults are an account's defaults for the metadata options of
// its new instances ("" and 0: no preference). A launch's own options and
// its launch template's come first; EC2's defaults fill what is left.
type MetadataDefaults struct {
	HTTPTokens   string `json:"http_tokens,omitempty"`
	HTTPEndpoint string `json:"http_endpoint,omitempty"`
	HopLimit     int32  `json:"hop_limit,omitempty"`
	// InstanceMetadataTags is only ever "disabled": ec2lab's metadata
	// service has no tags category.
	InstanceMetadataTags string `json:"instance_metadata_tags,omitempty"`
}

// MetadataDefaultsChange is ModifyInstanceMetadataDefaults: "" (nil) keeps
// a default, NoPreference (-1) clears it.
type MetadataDefaultsChange struct {
	HTTPTokens, HTTPEndpoint, InstanceMetadataTags, HTTPTokensEnforced string
	HopLimit                                                           *int32
}

// InstanceMetadataDefaults answers the caller's defaults.
func (s *Service) InstanceMetadataDefaults(ctx context.Context, dryRun bool) (MetadataDefaults, error) {
	st, err := s.callerSettings(ctx, dryRun)
	return st.Metadata, err
}

// ModifyInstanceMetadataDefaults changes the caller's defaults; new
// launches use them, running instances keep their options.
func (s *Service) ModifyInstanceMetadataDefaults(ctx context.Context, c MetadataDefaultsChange, dryRun bool) error {
	if err := c.validate(); err != nil {
		return err
	}
	_, err := s.changeSettings(ctx, dryRun, func(st *accountSettings) error {
		m := &st.Metadata
		setOrClear(&m.HTTPTokens, c.HTTPTokens)
		setOrClear(&m.HTTPEndpoint, c.HTTPEndpoint)
		setOrClear(&m.InstanceMetadataTags, c.InstanceMetadataTags)
		if c.HopLimit != nil {
			m.HopLimit = max(*c.HopLimit, 0)
		}
		return nil
	})
	return err
}

func setOrClear(field *string, v string) {
	switch v {
	case "":
	case NoPreference:
		*field = ""
	default:
		*field = v
	}
}

// validate checks a change as EC2 does; what ec2lab cannot honour is
// refused by name.
func (c MetadataDefaultsChange) validate() error {
	if c.HTTPTokens == "" && c.HTTPEndpoint == "" && c.InstanceMetadataTags == "" && c.HTTPTokensEnforced == "" && c.HopLimit == nil {
		return ec2err.New(ec2err.MissingParameter, "The request must contain at least one of the parameters HttpTokens, "+
			"HttpPutResponseHopLimit, HttpEndpoint, InstanceMetadataTags or HttpTokensEnforced")
	}
	for _, p := range []struct{ name, v, a, b string }{
		{"HttpTokens", c.HTTPTokens, HTTPTokensOptional, HTTPTokensRequired},
		{"HttpEndpoint", c.HTTPEndpoint, HTTPEndpointEnabled, HTTPEndpointDisabled},
		{"InstanceMetadataTags", c.InstanceMetadataTags, HTTPEndpointEnabled, HTTPEndpointDisabled},
		{"HttpTokensEnforced", c.HTTPTokensEnforced, HTTPEndpointEnabled, HTTPEndpointDisabled},
	} {
		if p.v != "" && p.v != p.a && p.v != p.b && p.v != NoPreference {
			return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter %s is invalid. Supported values are %s, %s, %s.",
				p.v, p.name, p.a, p.b, NoPreference)
		}
	}
	if c.InstanceMetadataTags == HTTPEndpointEnabled {
		return ec2err.New(ec2err.UnsupportedOperation, "InstanceMetadataTags enabled is not supported: ec2lab's instance metadata service has no tags category")
	}
	if c.HTTPTokensEnforced == HTTPEndpointEnabled {
		return ec2err.New(ec2err.UnsupportedOperation, "HttpTokensEnforced enabled is not supported by ec2lab; set HttpTokens required instead")
	}
	if h := c.HopLimit; h != nil && *h != -1 && (*h < 1 || *h > maxHopLimit) {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%d) for parameter HttpPutResponseHopLimit is invalid. Expecting -1 (no preference) or a value between 1 and %d.", *h, maxHopLimit)
	}
	return nil
}

// fill sets the options a launch left unset from the defaults.
func (d MetadataDefaults) fill(r *MetadataOptionsRequest) {
	if r.HTTPTokens == "" {
		r.HTTPTokens = d.HTTPTokens
	}
	if r.HTTPEndpoint == "" {
		r.HTTPEndpoint = d.HTTPEndpoint
	}
	if r.HopLimit == nil && d.HopLimit > 0 {
		hop := d.HopLimit
		r.HopLimit = &hop
	}
}

// Burstable families whose default credit option an account may set.
var creditFamilies = map[string]string{"t2": CreditsStandard, "t3": CreditsUnlimited, "t3a": CreditsUnlimited, "t4g": CreditsUnlimited}

// DefaultCreditSpecification answers the caller's default credit option
// of a burstable family (EC2's: standard for t2, unlimited for the rest).
func (s *Service) DefaultCreditSpecification(ctx context.Context, family string, dryRun bool) (string, error) {
	if err := checkCreditFamily(family); err != nil {
		return "", err
	}
	st, err := s.callerSettings(ctx, dryRun)
	return st.credits(family), err
}

// ModifyDefaultCreditSpecification sets the caller's default credit option
// of a family; new launches of its types without a CreditSpecification
// get it.
func (s *Service) ModifyDefaultCreditSpecification(ctx context.Context, family, credits string, dryRun bool) (string, error) {
	if err := checkCreditFamily(family); err != nil {
		return "", err
	}
	switch credits {
	case CreditsStandard, CreditsUnlimited:
	case "":
		return "", ec2err.New(ec2err.MissingParameter, "The request must contain the parameter CpuCredits")
	default:
		return "", ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter CpuCredits is invalid. Valid values: standard, unlimited", credits)
	}
	st, err := s.changeSettings(ctx, dryRun, func(st *accountSettings) error {
		if st.Credits == nil {
			st.Credits = map[string]string{}
		}
		st.Credits[family] = credits
		return nil
	})
	if err != nil {
		return "", err
	}
	return st.credits(family), nil
}

func checkCreditFamily(family string) error {
	if family == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceFamily")
	}
	if _, ok := creditFamilies[family]; !ok {
		return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter InstanceFamily is invalid. Valid values: t2, t3, t3a, t4g", family)
	}
	return nil
}

// credits is the family's default credit option.
func (st accountSettings) credits(family string) string {
	if c := st.Credits[family]; c != "" {
		return c
	}
	return creditFamilies[family]
}

// applyAccountDefaults fills what a launch left unset from the account's
// settings: metadata options, and the credit option of a burstable type.
func (s *Service) applyAccountDefaults(ctx context.Context, acct string, req *RunRequest, typ instancetypes.Type) error {
	st, err := s.settings(ctx, acct)
	if err != nil {
		return err
	}
	st.Metadata.fill(&req.MetadataOptions)
	if typ.Burstable && req.CPUCredits == "" {
		family, _, _ := strings.Cut(typ.Name, ".")
		if _, ok := creditFamilies[family]; ok {
			req.CPUCredits = st.credits(family)
		}
	}
	return nil
}
