// Package greeting is a package of the module that the build tests' main
// packages, the real one and the generated one, import.
package greeting

// Text is what the mains print.
const Text = "hello from the module"
