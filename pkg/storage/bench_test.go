package storage

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkFreeze shows that an offline snapshot costs the same for a
// 1 GiB and a 100 GiB volume: it writes a small overlay header only.
func BenchmarkFreeze(b *testing.B) {
	for _, size := range []int64{1 << 30, 100 << 30} {
		b.Run(fmt.Sprintf("%dGiB", size>>30), func(b *testing.B) {
			p := newTestPool(b)
			ctx := context.Background()
			mustCreate(b, p, "v0.qcow2", size, CreateOptions{})
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Every round overlays the same base, so only the size varies.
				if err := p.Freeze(ctx, "v0.qcow2", fmt.Sprintf("snap%d.qcow2", i), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
