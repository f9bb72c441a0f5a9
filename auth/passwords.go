package auth

import (
	"bytes"
	"os"
	"strings"
)

// ParsePasswords reads a PLAIN password file: one "user=password" per line,
// the format CZMQ's zauth loads (the dict pyzmq's configure_plain takes, as
// text). The password is everything after the first '='; blank lines and
// lines starting with '#' are skipped; a later line for the same user wins.
// A line without '=' or with an empty user name is a *SyntaxError
// (ErrPasswordSyntax) naming file and line.
func ParsePasswords(file string, data []byte) (map[string]string, error) {
	users := make(map[string]string)
	for lineNo := 1; len(data) > 0; lineNo++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		s := strings.TrimSuffix(string(line), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(strings.TrimLeft(s, " \t"), "#") {
			continue
		}
		user, pass, ok := strings.Cut(s, "=")
		switch {
		case !ok:
			return nil, &SyntaxError{File: file, Line: lineNo, Reason: "expected user=password", kind: ErrPasswordSyntax}
		case user == "":
			return nil, &SyntaxError{File: file, Line: lineNo, Reason: "empty user name", kind: ErrPasswordSyntax}
		case len(user) > maxString || len(pass) > maxString:
			return nil, &SyntaxError{File: file, Line: lineNo, Reason: "user name or password longer than 255 bytes (PLAIN's limit)", kind: ErrPasswordSyntax}
		}
		users[user] = pass
	}
	return users, nil
}

// LoadPasswords reads a password file (see ParsePasswords).
func LoadPasswords(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePasswords(path, data)
}
