// Command genfixture writes the synthetic telemetry fixture bundled with
// pkg/anomaly/dataset (fixture.csv): three channels of a made-up pump — a
// vibration-like sinusoid, a pressure that follows it, a slowly wandering
// temperature — 1,500 normal rows for training, then 3,500 rows with eight
// injected faults of the kinds the detectors are meant to catch. The seed is
// fixed, so running it again gives the same bytes (`go generate` in the
// package, or `go run ./pkg/anomaly/dataset/internal/genfixture -o …`).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
)

const (
	trainRows = 1500
	totalRows = 5000
)

type fault struct {
	start, length int
	apply         func(t int, a, b, c *float64)
}

func main() {
	out := flag.String("o", "fixture.csv", "output file")
	flag.Parse()
	rng := rand.New(rand.NewPCG(20261204, 6))
	var held float64
	faults := []fault{
		{1800, 3, func(t int, a, b, c *float64) { *a += 2.5 }},                       // spike
		{2100, 60, func(t int, a, b, c *float64) { *c += 1.2 }},                      // level shift
		{2500, 150, func(t int, a, b, c *float64) { *c += 0.012 * float64(t-2500) }}, // drift
		{2900, 80, func(t int, a, b, c *float64) { *b = -*b }},                       // broken correlation
		{3300, 50, func(t int, a, b, c *float64) { *a += 0.6 * rng.NormFloat64() }},  // noise burst
		{3700, 80, func(t int, a, b, c *float64) { *b = held }},                      // stuck sensor
		{4100, 2, func(t int, a, b, c *float64) { *b -= 3 }},                         // spike
		{4500, 100, func(t int, a, b, c *float64) { *a *= 1.8; *b *= 1.8 }},          // amplitude change
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "t,vibration,pressure,temperature,anomaly")
	temp := 0.0
	for t := range totalRows {
		phase := 2 * math.Pi * float64(t) / 40
		a := math.Sin(phase) + 0.05*rng.NormFloat64()
		b := 0.8*math.Sin(phase) + 0.3 + 0.05*rng.NormFloat64()
		temp = 0.995*temp + 0.02*rng.NormFloat64()
		c := 1 + temp + 0.2*math.Sin(2*math.Pi*float64(t)/400)
		label := 0
		for _, ft := range faults {
			if t == ft.start {
				held = b
			}
			if t >= ft.start && t < ft.start+ft.length {
				ft.apply(t, &a, &b, &c)
				label = 1
			}
		}
		fmt.Fprintf(w, "%d,%.4f,%.4f,%.4f,%d\n", t, a, b, c, label)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
