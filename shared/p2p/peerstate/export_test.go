package peerstate

// EncodeUnchecked writes a part without Encode's checks, so that tests can
// hand Decode what a careless or hostile peer would send.
func EncodeUnchecked(p Part) []byte { return encodePart(nil, p) }

// Size is how many bytes p encodes to, whether or not it fits.
func Size(p Part) int { return size(p) }
