package auth

import (
	"bytes"
	"strings"
)

// This is the subset of ZPL (ZeroMQ Property Language, RFC 4) that
// certificate files use: one entry per line, nesting by multiples of four
// spaces, "name", "name = value" with the value bare, "double" or 'single'
// quoted, and '#' comments. Anything else is a *SyntaxError with its line.

// zplNode is one entry with the entries nested under it.
type zplNode struct {
	name, value string
	line        int
	children    []*zplNode
}

// child returns the first child called name, or nil.
func (n *zplNode) child(name string) *zplNode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// zplMaxDepth bounds nesting; certificates use two levels.
const zplMaxDepth = 16

func zplNameChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("$-_@.&+/", c) >= 0
}

// parseZPL reads data (named file in errors) into a tree under a root node.
func parseZPL(file string, data []byte, kind error) (*zplNode, error) {
	root := &zplNode{}
	stack := []*zplNode{root} // stack[d] is the parent of entries at depth d
	for i, lineNo := 0, 1; i < len(data); lineNo++ {
		end := bytes.IndexByte(data[i:], '\n')
		if end < 0 {
			end = len(data) - i
		}
		line := strings.TrimSuffix(string(data[i:i+end]), "\r")
		i += end + 1
		fail := func(reason string) error {
			return &SyntaxError{File: file, Line: lineNo, Reason: reason, kind: kind}
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		rest := line[indent:]
		if rest == "" || rest[0] == '#' {
			continue
		}
		if rest[0] == '\t' {
			return nil, fail("tab in indentation (ZPL indents with four spaces)")
		}
		if indent%4 != 0 {
			return nil, fail("indentation is not a multiple of four spaces")
		}
		depth := indent / 4
		if depth >= len(stack) || depth >= zplMaxDepth {
			return nil, fail("indented deeper than the entry above allows")
		}
		n, err := parseZPLEntry(rest)
		if err != "" {
			return nil, fail(err)
		}
		n.line = lineNo
		parent := stack[depth]
		parent.children = append(parent.children, n)
		stack = append(stack[:depth+1], n)
	}
	return root, nil
}

// parseZPLEntry reads `name [= value] [# comment]`; the error is a reason.
func parseZPLEntry(s string) (*zplNode, string) {
	j := 0
	for j < len(s) && zplNameChar(s[j]) {
		j++
	}
	if j == 0 {
		return nil, "entry does not start with a name"
	}
	n := &zplNode{name: s[:j]}
	s = strings.TrimLeft(s[j:], " ")
	if s == "" || s[0] == '#' {
		return n, ""
	}
	if s[0] != '=' {
		return nil, "expected '=' after the name " + n.name
	}
	s = strings.TrimLeft(s[1:], " ")
	switch {
	case s == "":
		return nil, "no value after '='"
	case s[0] == '"' || s[0] == '\'':
		close := strings.IndexByte(s[1:], s[0])
		if close < 0 {
			return nil, "unterminated quoted value"
		}
		n.value, s = s[1:1+close], s[2+close:]
	default:
		k := strings.IndexAny(s, " \t#")
		if k < 0 {
			k = len(s)
		}
		n.value, s = s[:k], s[k:]
	}
	s = strings.TrimLeft(s, " \t")
	if s != "" && s[0] != '#' {
		return nil, "unexpected text after the value"
	}
	return n, ""
}

// zplQuote returns value quoted for a ZPL file, or false if ZPL cannot hold
// it (both quote characters, or a line break).
func zplQuote(value string) (string, bool) {
	if strings.ContainsAny(value, "\r\n") {
		return "", false
	}
	if !strings.Contains(value, `"`) {
		return `"` + value + `"`, true
	}
	if !strings.Contains(value, "'") {
		return "'" + value + "'", true
	}
	return "", false
}
