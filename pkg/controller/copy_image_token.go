package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// prefixCopyToken + account + "/" + ClientToken → the CopyImage it made.
const prefixCopyToken = "/copytokens/"

type copyToken struct {
	Hash    string `json:"hash"`
	ImageID string `json:"image_id"`
}

func copyHash(req CopyImageRequest) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%q %q %q %q %v", req.SourceRegion, req.SourceImageID, req.Name, req.Description, req.Tags)))
	return hex.EncodeToString(sum[:])
}

// replayCopy answers a retried CopyImage with the same ClientToken: the
// image the first call made, or IdempotentParameterMismatch when the
// request differs; done is false for a token not seen yet.
func (s *Service) replayCopy(ctx context.Context, acct string, req CopyImageRequest) (Image, bool, error) {
	if req.ClientToken == "" {
		return Image{}, false, nil
	}
	tok, _, err := store.GetJSON[copyToken](ctx, s.st, prefixCopyToken+acct+"/"+req.ClientToken)
	if errors.Is(err, store.ErrNotFound) {
		return Image{}, false, nil
	} else if err != nil {
		return Image{}, true, err
	}
	if tok.Hash != copyHash(req) {
		return Image{}, true, ec2err.New(ec2err.IdempotentParameterMismatch,
			"Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+tok.ImageID)
	return img, true, err
}

// copyTokenOps record the token of a CopyImage with its image, in the
// transaction that records the image ("" token: none).
func copyTokenOps(acct string, req CopyImageRequest, imageID string) []store.Op {
	if req.ClientToken == "" {
		return nil
	}
	op, _ := store.PutJSON(prefixCopyToken+acct+"/"+req.ClientToken, copyToken{copyHash(req), imageID}, store.MustNotExist)
	return []store.Op{op}
}
