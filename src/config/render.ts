// Renders .env.example and the README's configuration table from SETTINGS, so the documentation is
// always the settings table itself (a test compares the committed files with these renderings).
import { SETTINGS, type SettingGroup } from "./settings.ts";

const GROUP_TITLES: Record<SettingGroup, string> = {
  server: "Server",
  database: "Database",
  redis: "Redis",
  health: "Health score (docs/health-and-churn.md)",
  retention: "Churn risk and retention",
  onboarding: "Onboarding and time to value",
  support: "Support SLAs (minutes)",
  revenue: "Revenue, renewals and expansion",
  integrations: "Integrations (empty = not configured: tools still do their database part)",
  backup: "Backups (cs-mcp backup / restore)",
  auth: "Authentication of the hosted mode (docs/authentication.md)",
  secrets: "Profile and secrets (any secret X may instead be read from the file named by X_FILE)",
};

function groups(): Array<[SettingGroup, (typeof SETTINGS)[number][]]> {
  const order = Object.keys(GROUP_TITLES) as SettingGroup[];
  return order.map((g) => [g, SETTINGS.filter((s) => s.group === g)]);
}

export function renderEnvExample(): string {
  const out = [
    "# customer-success-mcp configuration. Copy to .env (read at start-up if present) or set in the environment.",
    "# Every value below is the default; an empty value means \"not set\". CLI flags, where listed, override both.",
    "# Generated from src/config/settings.ts (npm run gen:env); start-up refuses invalid values, naming the variable.",
  ];
  for (const [g, items] of groups()) {
    out.push("", `# ---- ${GROUP_TITLES[g]}`);
    for (const s of items) {
      const flag = "flag" in s && s.flag ? ` (flag --${s.flag})` : "";
      out.push(`# ${s.doc}${flag}${"secret" in s && s.secret ? " — secret: never commit it" : ""}`);
      const value = s.default && s.default.startsWith("(") ? "" : (s.default ?? "");
      out.push(`${s.env}=${value}`);
    }
  }
  return `${out.join("\n")}\n`;
}

export function renderConfigTable(): string {
  const rows = ["| Variable | Flag | Default | Meaning |", "|---|---|---|---|"];
  for (const [g, items] of groups()) {
    rows.push(`| **${GROUP_TITLES[g]}** | | | |`);
    for (const s of items) {
      const flag = "flag" in s && s.flag ? `\`--${s.flag}\`` : "";
      const dflt = s.default === "" || s.default === undefined ? "—" : `\`${s.default}\``;
      rows.push(`| \`${s.env}\` | ${flag} | ${dflt} | ${s.doc.replace(/\|/g, "\\|")} |`);
    }
  }
  return rows.join("\n");
}
