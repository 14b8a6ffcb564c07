package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// launchTemplateXML is EC2's LaunchTemplate shape.
type launchTemplateXML struct {
	LaunchTemplateID     string     `xml:"launchTemplateId"`
	LaunchTemplateName   string     `xml:"launchTemplateName"`
	CreateTime           string     `xml:"createTime,omitempty"`
	CreatedBy            string     `xml:"createdBy,omitempty"`
	DefaultVersionNumber int64      `xml:"defaultVersionNumber"`
	LatestVersionNumber  int64      `xml:"latestVersionNumber"`
	TagSet               *tagSetXML `xml:"tagSet,omitempty"`
}

func launchTemplateOut(t *ec2labv1.LaunchTemplate) launchTemplateXML {
	return launchTemplateXML{LaunchTemplateID: t.GetLaunchTemplateId(), LaunchTemplateName: t.GetLaunchTemplateName(),
		CreateTime: xmlTime(t.GetCreateTime()), CreatedBy: t.GetCreatedBy(), DefaultVersionNumber: t.GetDefaultVersionNumber(),
		LatestVersionNumber: t.GetLatestVersionNumber(), TagSet: tagsXML(t.GetTags())}
}

// launchTemplateVersionXML is EC2's LaunchTemplateVersion shape.
type launchTemplateVersionXML struct {
	LaunchTemplateID   string           `xml:"launchTemplateId"`
	LaunchTemplateName string           `xml:"launchTemplateName"`
	VersionNumber      int64            `xml:"versionNumber"`
	VersionDescription string           `xml:"versionDescription,omitempty"`
	CreateTime         string           `xml:"createTime,omitempty"`
	CreatedBy          string           `xml:"createdBy,omitempty"`
	DefaultVersion     bool             `xml:"defaultVersion"`
	LaunchTemplateData *templateDataXML `xml:"launchTemplateData"`
}

func templateVersionOut(v *ec2labv1.LaunchTemplateVersion) launchTemplateVersionXML {
	return launchTemplateVersionXML{LaunchTemplateID: v.GetLaunchTemplateId(), LaunchTemplateName: v.GetLaunchTemplateName(),
		VersionNumber: v.GetVersionNumber(), VersionDescription: v.GetVersionDescription(), CreateTime: xmlTime(v.GetCreateTime()),
		CreatedBy: v.GetCreatedBy(), DefaultVersion: v.GetDefaultVersion(), LaunchTemplateData: templateDataXMLOut(v.GetLaunchTemplateData())}
}

// warningXML is EC2's ValidationWarning.
type warningXML struct {
	Errors []validationErrorXML `xml:"errorSet>item"`
}

type validationErrorXML struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

func warningOut(w *ec2labv1.ValidationWarning) *warningXML {
	if len(w.GetErrors()) == 0 {
		return nil
	}
	out := &warningXML{}
	for _, e := range w.GetErrors() {
		out.Errors = append(out.Errors, validationErrorXML{Code: e.GetCode(), Message: e.GetMessage()})
	}
	return out
}

type createLaunchTemplateBody struct {
	meta
	LaunchTemplate launchTemplateXML `xml:"launchTemplate"`
	Warning        *warningXML       `xml:"warning,omitempty"`
}

func createLaunchTemplateXML(r *ec2labv1.CreateLaunchTemplateResponse) body {
	return &createLaunchTemplateBody{LaunchTemplate: launchTemplateOut(r.GetLaunchTemplate()), Warning: warningOut(r.GetWarning())}
}

type createLaunchTemplateVersionBody struct {
	meta
	LaunchTemplateVersion launchTemplateVersionXML `xml:"launchTemplateVersion"`
	Warning               *warningXML              `xml:"warning,omitempty"`
}

func createLaunchTemplateVersionXML(r *ec2labv1.CreateLaunchTemplateVersionResponse) body {
	return &createLaunchTemplateVersionBody{LaunchTemplateVersion: templateVersionOut(r.GetLaunchTemplateVersion()),
		Warning: warningOut(r.GetWarning())}
}

type describeLaunchTemplatesBody struct {
	meta
	Items     []launchTemplateXML `xml:"launchTemplates>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

func describeLaunchTemplatesXML(r *ec2labv1.DescribeLaunchTemplatesResponse) body {
	b := &describeLaunchTemplatesBody{NextToken: r.GetNextToken()}
	for _, t := range r.GetLaunchTemplates() {
		b.Items = append(b.Items, launchTemplateOut(t))
	}
	return b
}

type describeLaunchTemplateVersionsBody struct {
	meta
	Items     []launchTemplateVersionXML `xml:"launchTemplateVersionSet>item"`
	NextToken string                     `xml:"nextToken,omitempty"`
}

func describeLaunchTemplateVersionsXML(r *ec2labv1.DescribeLaunchTemplateVersionsResponse) body {
	b := &describeLaunchTemplateVersionsBody{NextToken: r.GetNextToken()}
	for _, v := range r.GetLaunchTemplateVersions() {
		b.Items = append(b.Items, templateVersionOut(v))
	}
	return b
}

// launchTemplateBody answers ModifyLaunchTemplate and DeleteLaunchTemplate.
type launchTemplateBody struct {
	meta
	LaunchTemplate launchTemplateXML `xml:"launchTemplate"`
}

func modifyLaunchTemplateXML(r *ec2labv1.ModifyLaunchTemplateResponse) body {
	return &launchTemplateBody{LaunchTemplate: launchTemplateOut(r.GetLaunchTemplate())}
}

func deleteLaunchTemplateXML(r *ec2labv1.DeleteLaunchTemplateResponse) body {
	return &launchTemplateBody{LaunchTemplate: launchTemplateOut(r.GetLaunchTemplate())}
}

// versionDeletionXML is EC2's DeleteLaunchTemplateVersionsResponse
// Success/ErrorItem.
type versionDeletionXML struct {
	LaunchTemplateID   string              `xml:"launchTemplateId,omitempty"`
	LaunchTemplateName string              `xml:"launchTemplateName,omitempty"`
	VersionNumber      int64               `xml:"versionNumber"`
	ResponseError      *validationErrorXML `xml:"responseError,omitempty"`
}

type deleteLaunchTemplateVersionsBody struct {
	meta
	Deleted    []versionDeletionXML `xml:"successfullyDeletedLaunchTemplateVersionSet>item"`
	NotDeleted []versionDeletionXML `xml:"unsuccessfullyDeletedLaunchTemplateVersionSet>item"`
}

func deleteLaunchTemplateVersionsXML(r *ec2labv1.DeleteLaunchTemplateVersionsResponse) body {
	b := &deleteLaunchTemplateVersionsBody{}
	conv := func(d *ec2labv1.LaunchTemplateVersionDeletion) versionDeletionXML {
		x := versionDeletionXML{LaunchTemplateID: d.GetLaunchTemplateId(), LaunchTemplateName: d.GetLaunchTemplateName(),
			VersionNumber: d.GetVersionNumber()}
		if e := d.GetResponseError(); e != nil {
			x.ResponseError = &validationErrorXML{Code: e.GetCode(), Message: e.GetMessage()}
		}
		return x
	}
	for _, d := range r.GetSuccessfullyDeletedLaunchTemplateVersions() {
		b.Deleted = append(b.Deleted, conv(d))
	}
	for _, d := range r.GetUnsuccessfullyDeletedLaunchTemplateVersions() {
		b.NotDeleted = append(b.NotDeleted, conv(d))
	}
	return b
}

type getLaunchTemplateDataBody struct {
	meta
	LaunchTemplateData *templateDataXML `xml:"launchTemplateData"`
}

func getLaunchTemplateDataXML(r *ec2labv1.GetLaunchTemplateDataResponse) body {
	return &getLaunchTemplateDataBody{LaunchTemplateData: templateDataXMLOut(r.GetLaunchTemplateData())}
}
