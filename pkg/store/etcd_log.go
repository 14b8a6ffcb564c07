package store

import (
	"context"
	"log/slog"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// etcdClientLogLevel is the least severe client message passed on: the
// client logs every retry at warn, which a closed store triggers by design.
const etcdClientLogLevel = zapcore.ErrorLevel

// slogCore passes the etcd client's zap records on to slog, so ec2d's logs
// stay in one format.
type slogCore struct {
	log    *slog.Logger
	fields []zapcore.Field
}

// newEtcdClientLogger is a zap logger that writes to log.
func newEtcdClientLogger(log *slog.Logger) *zap.Logger {
	return zap.New(slogCore{log: log.With("component", "etcd-client")})
}

func (c slogCore) Enabled(l zapcore.Level) bool { return l >= etcdClientLogLevel }

func (c slogCore) With(fields []zapcore.Field) zapcore.Core {
	return slogCore{log: c.log, fields: append(append([]zapcore.Field(nil), c.fields...), fields...)}
}

func (c slogCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c slogCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range append(c.fields, fields...) {
		f.AddTo(enc)
	}
	attrs := make([]any, 0, 2*len(enc.Fields))
	for k, v := range enc.Fields {
		attrs = append(attrs, k, v)
	}
	c.log.Log(context.Background(), slogLevel(e.Level), e.Message, attrs...)
	return nil
}

func (c slogCore) Sync() error { return nil }

func slogLevel(l zapcore.Level) slog.Level {
	switch {
	case l >= zapcore.ErrorLevel:
		return slog.LevelError
	case l == zapcore.WarnLevel:
		return slog.LevelWarn
	case l == zapcore.InfoLevel:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
