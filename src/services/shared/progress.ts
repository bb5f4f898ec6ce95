// How a long service call reports progress: the tool passes ctx.progress (an MCP notifications/progress
// when the caller gave a progress token, a no-op otherwise); services called without one use noProgress.
export type Progress = (done: number, total?: number, message?: string) => Promise<void>;

export const noProgress: Progress = async () => {};
