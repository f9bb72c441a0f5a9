package swapfile

import (
	"fmt"
	"log/slog"
	"time"
)

// SyncPolicy says when appended records are forced to stable storage.
// Every policy survives a process crash (the page cache outlives the
// process); they differ in what survives power loss or a kernel crash.
type SyncPolicy int

const (
	// SyncNone never calls fdatasync on its own; Sync and Close still
	// work. The header is written (without sync) on Close, Sync and when
	// popped space is reused.
	SyncNone SyncPolicy = iota
	// SyncAlways calls fdatasync after every Append: a returned Append
	// survives power loss.
	SyncAlways
	// SyncEveryN syncs data and header after every Options.SyncEvery
	// appends.
	SyncEveryN
	// SyncInterval syncs data and header on the first Append at least
	// Options.SyncInterval after the previous sync. No goroutine is
	// involved, so an idle ring is not synced until its next Append, Sync
	// or Close.
	SyncInterval
)

func (p SyncPolicy) String() string {
	switch p {
	case SyncNone:
		return "none"
	case SyncAlways:
		return "always"
	case SyncEveryN:
		return "every-n"
	case SyncInterval:
		return "interval"
	}
	return fmt.Sprintf("SyncPolicy(%d)", int(p))
}

// Options configure a Ring. The zero value is SyncNone without logging.
type Options struct {
	Sync         SyncPolicy
	SyncEvery    int           // records between syncs, for SyncEveryN
	SyncInterval time.Duration // time between syncs, for SyncInterval
	Logger       *slog.Logger  // recovery and sync failures; nil is silent
	// Budget makes the ring growable: the capacity given to Create (or
	// OpenOrCreate) is where it starts; an Append that does not fit
	// grows the data area (at least doubling) while Budget has room, and
	// a ring drained empty shrinks back to that capacity. The data area
	// is charged to Budget from open to close. nil: fixed capacity.
	Budget *Budget
}

func (o Options) validate() error {
	switch o.Sync {
	case SyncNone, SyncAlways:
	case SyncEveryN:
		if o.SyncEvery <= 0 {
			return fmt.Errorf("swapfile: SyncEveryN needs SyncEvery > 0, got %d", o.SyncEvery)
		}
	case SyncInterval:
		if o.SyncInterval <= 0 {
			return fmt.Errorf("swapfile: SyncInterval needs SyncInterval > 0, got %v", o.SyncInterval)
		}
	default:
		return fmt.Errorf("swapfile: unknown sync policy %d", int(o.Sync))
	}
	return nil
}

// durable reports whether header writes must be synced to keep the
// policy's promise across power loss.
func (o Options) durable() bool { return o.Sync != SyncNone }

var discardLogger = slog.New(slog.DiscardHandler)

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return discardLogger
	}
	return o.Logger
}
