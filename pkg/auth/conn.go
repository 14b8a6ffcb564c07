package auth

import "context"

type connAuthKey struct{}

// WithConnAuthenticated returns ctx carrying f, which ConnAuthenticated
// calls: a server puts it in each connection's context to learn which
// connections have carried an authenticated request (pkg/server caps the
// others).
func WithConnAuthenticated(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, connAuthKey{}, f)
}

// ConnAuthenticated reports that the request of ctx was authenticated to
// its connection's server, if that server asked (WithConnAuthenticated).
func ConnAuthenticated(ctx context.Context) {
	if f, ok := ctx.Value(connAuthKey{}).(func()); ok {
		f()
	}
}
