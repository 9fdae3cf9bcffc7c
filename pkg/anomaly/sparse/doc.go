// Package sparse is the sparse-feature anomaly detector of adf sentinel,
// after He, Cheng & Guo (Sensors 2022): a dictionary learned with K-SVD on
// windows of normal multivariate telemetry, OMP sparse codes of each window
// as features that capture which channels move together, and a one-class SVM
// boundary around the features of normal windows.
package sparse
