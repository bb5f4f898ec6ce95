export type Scope = "cs:read" | "cs:write" | "cs:admin";
export interface Principal { subject: string; via: "oauth" | "api_key" | "local"; scopes: readonly Scope[]; toolsets?: readonly string[]; readOnly?: boolean }
