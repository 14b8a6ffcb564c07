package hypervisor

// ParseUUID is parseUUID, for the external test package.
var ParseUUID = parseUUID
