// The AWS SDK for JavaScript v3 warns on stderr, when its first client is built under Node < 22, that its
// releases after January 2027 will need Node 22 (NodeVersionSupportWarning). This package pins its SDK
// versions and supports Node >= 20.19, so the warning is noise in every `cs-mcp backup` and in each start
// with AWS Secrets Manager. The SDK's documented switch turns off that one warning and nothing else
// (https://github.com/aws/aws-sdk-js-v3/issues/7983); an operator who sets it to anything else keeps it.
export function silenceAwsNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}
