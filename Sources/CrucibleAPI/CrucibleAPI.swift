// CrucibleAPI: the JSON wire types of Crucible's v1 HTTP API, shared by the control plane, the node agent
// and the command line. Pure values, validation and encoding; no I/O. controlplane/openapi.yaml documents
// the same shapes, and the tests hold the two together.
//
// Where things are:
//   Tasks/         TaskSpec (a task), IOCase, TaskLimits, the task bank bodies, Language/Scenario/… enums
//   Candidates/    Candidate and its metadata
//   Runs/          RunSubmission (POST /v1/runs), RunStatus, JobState/RunState, RunEvent (SSE), ScoreWeights
//   Results/       JobResult and its parts (steps, tests, findings, usage, score), RunResults
//   Judgements/    JudgementRequest and the stored Judgement
//   Leaderboard/   Leaderboard, its query and task filters
//   Nodes/         NodeInfo (GET /v1/nodes)
//   Agents/        the agent protocol: register, lease, heartbeat, job events, completion
//   HTTP/          every endpoint with its roles, media types
//   Health/        /healthz and /readyz replies
//   Errors/        ErrorEnvelope (what a client sees), CrucibleAPIError (this module's one error type)
//   Validation/    pure checks with field paths such as `tasks[3].language`, and their caps
//   Common/        WireEnum, timestamps, CrucibleJSON (decode with field paths), NDJSON, SSE framing
//
// A server handles a body in two steps, each reporting the field at fault:
//   let submission = try CrucibleJSON.decode(RunSubmission.self, from: body)  // shape, types, enum strings
//   try submission.validate()                                                  // ids, paths, sizes, references
// and answers a thrown CrucibleAPIError with `error.httpStatus` and `error.envelope`.
