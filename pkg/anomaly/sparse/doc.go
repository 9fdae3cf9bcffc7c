// Package sparse is the sparse-feature anomaly detector of adf sentinel,
// after He, Cheng & Guo (Sensors 2022): a dictionary learned with K-SVD on
// windows of normal multivariate telemetry, the OMP sparse code of each
// window as its feature vector, and a one-class boundary around the
// features of normal windows.
//
// # Method
//
// Fit takes anomaly-free rows (samples × channels) and
//
//  1. splits them into a head (1-Holdout) that the model learns from and a
//     tail that only calibrates the threshold;
//  2. standardises every channel with the head's mean and standard
//     deviation (a channel that never moved keeps scale 1, so any later
//     movement is visible in its own units);
//  3. cuts the head into overlapping windows of Window samples and flattens
//     each to one vector of Window×Channels values, time step by time step;
//  4. learns Atoms unit-norm atoms with K-SVD (OMP coding, then one power
//     step per atom, Rubinstein et al.'s approximate K-SVD), Iterations
//     sweeps, starting from evenly spaced distinct training windows;
//  5. codes every window with Batch-OMP (at most Sparsity atoms) and builds
//     its feature vector: the coefficients over all atoms, divided by one
//     common scale, plus the window's RMS residual;
//  6. trains a ν-one-class SVM with RBF kernel (SMO with second-order
//     working-set selection, as LIBSVM) on up to MaxBoundaryPoints of those
//     features, evenly spaced in time;
//  7. scores the held-out tail with the finished streaming scorer and sets
//     the threshold to the Quantile of those scores plus Margin
//     interquartile ranges, or plus MinMargin if that is more;
//  8. with Refit (the default), learns steps 2-6 again from the whole
//     training series and keeps that threshold.
//
// No label of any data the model scores is used: the threshold comes from
// training data the model had not seen when it was calibrated.
//
// # Score
//
// The SVM's decision value Σ α_i·K(s_i, x) − ρ saturates at −ρ as soon as
// x is far from every support vector: a huge spike and a window just past
// the edge score alike, and one odd held-out window can push the threshold
// beyond every reachable score. The score used here is log(ρ / Σ α_i·K(s_i,
// x)): the same boundary (zero on it, negative inside, positive outside),
// but it keeps growing far away, roughly like γ times the squared distance
// to the nearest support vector. The scorer then requires persistence (it
// reports the minimum of the last Persist window scores: an anomaly lies in
// Window overlapping windows, a normal window that grazes the boundary
// usually does not) and holds an alarm (the maximum of the last Hold of
// those), so one anomaly gives one alarm, not a flicker of them.
//
// With Stride 1 (the default) every sample ends a window that is scored;
// with a larger Stride the last score is repeated in between.
//
// # Why windows flattened across channels
//
// The paper's point is that sparse coefficients capture which channels
// co-occur. Flattening a window across time and channels makes every atom
// a joint pattern of all channels over Window samples: channels that move
// together in normal data share atoms. When that relation breaks — each
// channel still inside its usual range, but no longer together — the window
// can only be coded by an unusual combination of atoms or not at all, which
// shows up in the coefficients and the residual. A per-channel detector
// cannot see it; TestDetectsCouplingBreakAndSpike is that case.
//
// # Why the residual is a feature
//
// OMP always returns some code. A window unlike anything in training can
// get coefficients that look ordinary while most of its energy stays
// unexplained; the RMS residual carries exactly that. It is one extra
// dimension, scaled by its training RMS.
//
// # Speed
//
// Scoring a window costs one product with the dictionary (Atoms ×
// Window×Channels), Sparsity small Cholesky updates on the precomputed Gram
// matrix (Batch-OMP), and one kernel evaluation per support vector. ν·l
// bounds the support vectors from below and MaxBoundaryPoints bounds l, so
// an exact RBF kernel stays affordable: BenchmarkScoreSMAPLike measures
// about 29,000-35,000 windows/s on one shared core for 16×25 windows, 48
// atoms, 305 support vectors.
//
// # Defaults and SMAP
//
// DefaultConfig was chosen on SMAP training data only (tune_test.go): each
// channel's training series split 70/30, the model fitted on the first
// part, false alarms counted on the second, and spikes, level shifts and
// noise bursts injected into it one at a time. On the SMAP test files (the
// telemetry value only, as Telemanom and adf sentinel eval use it; the
// command flags swamp it) the defaults detect 44 of 68 events with 206
// false alarm runs: event F1 0.277 by Telemanom's overlap rule, far below
// Telemanom's 0.867. Most false alarms come from two channels (E-5, E-6)
// whose test files hold levels their training files never do; a threshold
// fixed from training data cannot follow that, and Center, which would
// ignore levels, was worse on the training split, so it is off.
//
// # Determinism and serialisation
//
// Fitting has no randomness beyond a seeded generator used only when the
// data offers too few distinct windows for the initial atoms or for
// replacing unused ones, so the same data and Config give the same bytes
// from MarshalParams: JSON of the config, standardisation, dictionary,
// feature scales and the SVM's support vectors, coefficients and offset.
// The decoder, registered as "sparse", checks every shape and value.
package sparse
