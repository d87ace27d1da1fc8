// Package await is the harness's await function: each test's Await task
// hands it a task token, the completion rule on the app's bus hands it
// the app's completion events, and it completes the waiting task when
// both are there, whichever came second. When the event does not come, it
// names the broken link (testharness/diagnose).
//
// An app does not write its main: the harness construct
// (testharness/cdkharness) generates one that calls Main.
package await
