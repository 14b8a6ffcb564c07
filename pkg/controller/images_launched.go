package controller

import (
	"context"
	"errors"
	"time"
)

// LastLaunchedTimeFormat is how EC2 writes an image's lastLaunchedTime
// (a string in its model, ISO 8601 to the second).
const LastLaunchedTimeFormat = "2006-01-02T15:04:05Z"

var errLaunchedLater = errors.New("image launched later already")

// noteImageLaunched records at as the image's LastLaunchedTime. It is best
// effort: the launch it notes is recorded already and stands whatever
// happens here (a deregistered image keeps its last value).
func (s *Service) noteImageLaunched(ctx context.Context, id string, at time.Time) {
	_, err := update(ctx, s.st, prefixImage+id, func(img *Image) error {
		if !img.LastLaunchedTime.Before(at) {
			return errLaunchedLater
		}
		img.LastLaunchedTime = at
		return nil
	})
	if err != nil && !errors.Is(err, errLaunchedLater) {
		s.log.Warn("image last launched time not recorded", "image", id, "err", err)
	}
}
