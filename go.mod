module github.com/purezmq/purezmq

go 1.25
