package web

import "time"

// zeroTime makes http.ServeContent skip Last-Modified: the files change
// with the binary, and Cache-Control: no-cache has the browser revalidate.
var zeroTime time.Time
