package reports

import (
	"math"
	"strconv"
	"strings"
)

// timeUnit is the unit that the times shown together are written in, so
// that a column never mixes "0 ms" with "22 min 30 s".
type timeUnit struct {
	name string
	// seconds is the length of one unit in seconds.
	seconds  float64
	decimals int
}

var (
	unitMilliseconds = timeUnit{name: "ms", seconds: 0.001, decimals: 0}
	unitSeconds      = timeUnit{name: "s", seconds: 1, decimals: 1}
	unitMinutes      = timeUnit{name: "min", seconds: 60, decimals: 1}
	unitHours        = timeUnit{name: "h", seconds: 3600, decimals: 1}
)

// timeUnitFor picks the unit for times in seconds from the largest
// magnitude among them: milliseconds below 1 s, seconds below 1 min,
// minutes below 2 h, hours above. Minutes run to 2 h because an hour with
// one decimal is 6 min, too coarse for times of about an hour. Values
// that are not finite are ignored; with none left the unit is seconds.
func timeUnitFor(seconds ...float64) timeUnit {
	largest, any := 0.0, false
	for _, s := range seconds {
		if isFinite(s) {
			largest, any = math.Max(largest, math.Abs(s)), true
		}
	}
	switch {
	case !any:
		return unitSeconds
	case largest < 1:
		return unitMilliseconds
	case largest < 60:
		return unitSeconds
	case largest < 7200:
		return unitMinutes
	}
	return unitHours
}

// format writes sec in the unit with a fixed number of decimals, such
// as "22.5 min". A non-zero time that rounds to zero in the unit is
// written as a bound instead: "<1 s" for a sub-second time beside
// minutes or hours, otherwise "<0.1 min" and the like.
func (u timeUnit) format(sec float64) string {
	if !isFinite(sec) {
		return "n/a"
	}
	sign := ""
	if sec < 0 {
		sign, sec = "−", -sec
	}
	if sec == 0 {
		return "0 " + u.name
	}

	s := strconv.FormatFloat(sec/u.seconds, 'f', u.decimals, 64)
	if strings.Trim(s, "0.") != "" {
		return sign + s + " " + u.name
	}
	if sec < 1 && u.seconds >= 60 {
		return sign + "<1 s"
	}
	step := "1"
	if u.decimals > 0 {
		step = "0." + strings.Repeat("0", u.decimals-1) + "1"
	}
	return sign + "<" + step + " " + u.name
}
