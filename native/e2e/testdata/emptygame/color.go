//go:build js

package main

import "image/color"

var colorBackground = color.RGBA{0x22, 0x30, 0x28, 0xff}
