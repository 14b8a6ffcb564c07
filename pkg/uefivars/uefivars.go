// Package uefivars owns UEFI variable stores: reading the non-volatile
// store an EDK2 firmware (OVMF) keeps in its NVRAM file, and writing EC2's
// variable store format (AMZNUEFI, the UefiData of GetInstanceUefiData and
// RegisterImage, which awslabs' python-uefivars converts). It is pure:
// bytes in, bytes out.
package uefivars

// Var is one non-volatile UEFI variable.
type Var struct {
	Name string
	// GUID is the vendor GUID as it lies in memory (EFI_GUID byte order).
	GUID [16]byte
	Attr uint32
	Data []byte
	// Timestamp (an EFI_TIME) and Digest (the SHA-256 of the signer's
	// certificate) belong to time-based authenticated variables; zero and
	// nil otherwise.
	Timestamp [16]byte
	Digest    []byte
}

// AttrTimeBasedAuthenticated marks a time-based authenticated variable
// (EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS): PK, KEK, db, dbx.
const AttrTimeBasedAuthenticated = 0x20
