package wire

import "errors"

// Errors returned by the parsers. They are wrapped with detail, so test them
// with errors.Is.
var (
	// ErrTruncated means the buffer is shorter than the header says it is.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed means a field holds a value the format does not allow.
	ErrMalformed = errors.New("malformed")
	// ErrBufferTooSmall means an Encode was handed a buffer too short for the header.
	ErrBufferTooSmall = errors.New("buffer too small")
)
