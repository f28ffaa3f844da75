package signal

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"

	"socketville/shared/sock"
)

// RoomIDBits is how many random bits a room id carries: enough that no one
// finds a room by guessing.
const RoomIDBits = 128

// roomIDLen is the length of a room id: 16 bytes in unpadded base64url.
var roomIDLen = base64.RawURLEncoding.EncodedLen(RoomIDBits / 8)

// RoomID names a room: RoomIDBits random bits in unpadded base64url (RFC
// 4648 section 5), 22 characters, safe in a URL as it is.
type RoomID string

// NewRoomID makes a fresh room id from random, which should be
// crypto/rand.Reader (a caller that must be deterministic gives its own).
func NewRoomID(random io.Reader) (RoomID, error) {
	b := make([]byte, RoomIDBits/8)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("new room id: %w", err)
	}
	return RoomID(base64.RawURLEncoding.EncodeToString(b)), nil
}

// CheckRoomID says whether id has the form NewRoomID gives: 22 characters
// of base64url that decode to 16 bytes and encode back to themselves.
func CheckRoomID(id RoomID) error {
	if len(id) != roomIDLen {
		return bad("a room id of %d characters; one has %d (was the link cut short?)", len(id), roomIDLen)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(string(id))
	if err != nil || len(b) != RoomIDBits/8 {
		return bad("a room id %q that is not base64url", clip(string(id)))
	}
	return nil
}

// FormatInvite is the link that invites a friend into room: the page's
// base URL (http or https) with "#room=ID" as its fragment. The fragment
// is never sent to a server, so the id stays out of logs and Referer
// headers; other parameters of an existing fragment are kept.
func FormatInvite(base string, room RoomID) (string, error) {
	if err := CheckRoomID(room); err != nil {
		return "", fmt.Errorf("invite link: %w", err)
	}
	u, err := pageURL(base)
	if err != nil {
		return "", fmt.Errorf("invite link: %w", err)
	}
	frag, _ := url.ParseQuery(u.Fragment) // a fragment that is not a query is replaced
	frag.Set("room", string(room))
	u.Fragment, u.RawFragment = "", ""
	return u.String() + "#" + frag.Encode(), nil
}

// ParseInvite reads an invite link: the page's URL with the room either
// in its fragment ("#room=ID", as FormatInvite writes it) or in its query
// ("?room=ID", as a hand-typed link may have it). It returns the page's
// URL without the room and the room's id.
func ParseInvite(link string) (base string, room RoomID, err error) {
	if len(link) > 2048 {
		return "", "", fmt.Errorf("invite link: %w", tooBig("a link of %d bytes, over the 2048 one may be", len(link)))
	}
	u, err := pageURL(link)
	if err != nil {
		return "", "", fmt.Errorf("invite link: %w", err)
	}
	frag, ferr := url.ParseQuery(u.Fragment)
	query := u.Query()
	var id string
	switch {
	case ferr == nil && frag.Has("room"):
		id = frag.Get("room")
		frag.Del("room")
		u.Fragment, u.RawFragment = frag.Encode(), ""
	case query.Has("room"):
		id = query.Get("room")
		query.Del("room")
		u.RawQuery = query.Encode()
	default:
		return "", "", fmt.Errorf("invite link: %w", bad("the link %q names no room (#room=ID)", clip(link)))
	}
	if err := CheckRoomID(RoomID(id)); err != nil {
		return "", "", fmt.Errorf("invite link: %w", err)
	}
	return u.String(), RoomID(id), nil
}

// SignalURL is the WebSocket address of the hub that serves the page at
// base: ws (or wss for https) to the same host, at /signal beside the
// page.
func SignalURL(base string) (string, error) {
	u, err := pageURL(base)
	if err != nil {
		return "", fmt.Errorf("signal url: %w", err)
	}
	scheme := "ws"
	if u.Scheme == "https" {
		scheme = "wss"
	}
	dir := u.Path[:strings.LastIndex(u.Path, "/")+1]
	if dir == "" {
		dir = "/"
	}
	return (&url.URL{Scheme: scheme, Host: u.Host, Path: dir + "signal"}).String(), nil
}

// pageURL parses s as the URL of a page: http or https, with a host.
func pageURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, &sock.CallError{Op: "signal", Errno: sock.ErrInval, Note: "not a URL: " + clip(s)}
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, bad("%q is not the http or https address of a page", clip(s))
	}
	return u, nil
}
