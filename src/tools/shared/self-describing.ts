// Input fields whose name, type and the tool's description already say what they are: tool schemas leave
// them without `.describe()` (each description is sent with every tools/list). Every other top-level input
// field carries a short description (tests/unit/tools-registry.test.ts).
export const SELF_DESCRIBING_FIELDS: readonly string[] = ["client_id", "action", "limit", "offset", "cursor"];
