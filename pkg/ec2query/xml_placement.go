package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// placementGroupXML is EC2's PlacementGroup shape.
type placementGroupXML struct {
	GroupName      string     `xml:"groupName"`
	State          string     `xml:"state"`
	Strategy       string     `xml:"strategy"`
	PartitionCount int32      `xml:"partitionCount,omitempty"`
	GroupID        string     `xml:"groupId"`
	TagSet         *tagSetXML `xml:"tagSet,omitempty"`
	GroupArn       string     `xml:"groupArn,omitempty"`
}

func placementGroupOut(g *ec2labv1.PlacementGroup) placementGroupXML {
	return placementGroupXML{GroupName: g.GetGroupName(), State: g.GetState(), Strategy: g.GetStrategy(),
		PartitionCount: g.GetPartitionCount(), GroupID: g.GetGroupId(), TagSet: tagsXML(g.GetTags()), GroupArn: g.GetGroupArn()}
}

type createPlacementGroupBody struct {
	meta
	Return         bool              `xml:"return"`
	PlacementGroup placementGroupXML `xml:"placementGroup"`
}

func createPlacementGroupXML(g *ec2labv1.PlacementGroup) body {
	return &createPlacementGroupBody{Return: true, PlacementGroup: placementGroupOut(g)}
}

type describePlacementGroupsBody struct {
	meta
	Items []placementGroupXML `xml:"placementGroupSet>item"`
}

func describePlacementGroupsXML(r *ec2labv1.DescribePlacementGroupsResponse) body {
	b := &describePlacementGroupsBody{}
	for _, g := range r.GetPlacementGroups() {
		b.Items = append(b.Items, placementGroupOut(g))
	}
	return b
}
