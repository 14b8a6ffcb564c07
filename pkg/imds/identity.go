package imds

import (
	"encoding/json"
	"time"
)

// identity is /latest/dynamic/instance-identity/document, field for field
// as EC2 writes it (the nulls included: SDKs decode into fixed structs).
type identity struct {
	AccountID               string    `json:"accountId"`
	Architecture            string    `json:"architecture"`
	AvailabilityZone        string    `json:"availabilityZone"`
	BillingProducts         *[]string `json:"billingProducts"`
	DevpayProductCodes      *[]string `json:"devpayProductCodes"`
	MarketplaceProductCodes *[]string `json:"marketplaceProductCodes"`
	ImageID                 string    `json:"imageId"`
	InstanceID              string    `json:"instanceId"`
	InstanceType            string    `json:"instanceType"`
	KernelID                *string   `json:"kernelId"`
	PendingTime             string    `json:"pendingTime"`
	PrivateIP               string    `json:"privateIp"`
	RamdiskID               *string   `json:"ramdiskId"`
	Region                  string    `json:"region"`
	Version                 string    `json:"version"`
}

func identityDocument(inst Instance) string {
	arch := inst.Architecture
	if arch == "" {
		arch = defaultArch
	}
	doc := identity{
		AccountID:        inst.AccountID,
		Architecture:     arch,
		AvailabilityZone: inst.AZ,
		ImageID:          inst.AMIID,
		InstanceID:       inst.InstanceID,
		InstanceType:     inst.InstanceType,
		PendingTime:      inst.LaunchTime.UTC().Format(time.RFC3339),
		PrivateIP:        inst.LocalIPv4,
		Region:           inst.Region,
		Version:          identityFormat,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil { // plain strings and nil pointers always marshal
		panic("imds: identity document: " + err.Error())
	}
	return string(b)
}
