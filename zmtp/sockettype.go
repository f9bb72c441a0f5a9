package zmtp

import "strings"

// compatible lists, for each socket type of RFC 37, the peer types it may talk
// to (the RFC's table, including the draft thread-safe types).
var compatible = map[string][]string{
	"REQ":     {"REP", "ROUTER"},
	"REP":     {"REQ", "DEALER"},
	"DEALER":  {"REP", "DEALER", "ROUTER"},
	"ROUTER":  {"REQ", "DEALER", "ROUTER"},
	"PUB":     {"SUB", "XSUB"},
	"XPUB":    {"SUB", "XSUB"},
	"SUB":     {"PUB", "XPUB"},
	"XSUB":    {"PUB", "XPUB"},
	"PUSH":    {"PULL"},
	"PULL":    {"PUSH"},
	"PAIR":    {"PAIR"},
	"CLIENT":  {"SERVER"},
	"SERVER":  {"CLIENT"},
	"RADIO":   {"DISH"},
	"DISH":    {"RADIO"},
	"SCATTER": {"GATHER"},
	"GATHER":  {"SCATTER"},
	"PEER":    {"PEER"},
	"CHANNEL": {"CHANNEL"},
}

// ValidSocketType reports whether t is a socket type named by RFC 37. The
// comparison ignores case, so a peer's "dealer" is understood.
func ValidSocketType(t string) bool {
	_, ok := compatible[strings.ToUpper(t)]
	return ok
}

// SocketTypesCompatible reports whether a socket of type local may talk to a
// peer of type peer, following the RFC 37 table. Unknown types are never
// compatible.
func SocketTypesCompatible(local, peer string) bool {
	for _, t := range compatible[strings.ToUpper(local)] {
		if strings.EqualFold(t, peer) {
			return true
		}
	}
	return false
}
