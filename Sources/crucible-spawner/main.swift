// crucible-spawner: the small program every sandbox's init is cloned from (docs/sandbox.md, step 3).
//
// It is a static executable of a few pages, so that each clone copies, and each init's exit tears down,
// almost nothing. crucible starts it through csbx_spawner_start, and the constructor in CSandbox's
// spawner.c serves crucible from then on: this code runs only when someone starts the program by hand.
import CSandbox

#if canImport(Glibc)
    import Glibc
#endif

let message =
    "crucible-spawner is started by crucible itself, one for each process that runs sandboxes; it is not a "
    + "command. Install it in the same directory as crucible.\n"
_ = message.withCString { write(2, $0, strlen($0)) }
exit(2)
