// `cs-mcp model train | list | activate VERSION|hand-set | export FILE [VERSION] | import FILE`: the learned
// churn models of the configured database. A model trained in staging is exported to a file and imported
// (validated, checksum checked) into production, where `activate` makes it score.
import { readFileSync, writeFileSync } from "node:fs";
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { openDatabase } from "../db/database.ts";
import { ToolError } from "../server/errors.ts";
import { ChurnModelService, type ModelListing } from "../services/churn-model/service.ts";
import { printErr, printJson, printOut } from "./output.ts";

type Flags = Record<string, string | boolean | undefined>;

const SUBCOMMANDS = ["train", "list", "activate", "export", "import"];

const line = (m: ModelListing) =>
  `${m.active ? "*" : " "} ${m.version.padEnd(28)} trained ${m.trained_at}  ${m.accounts} accounts, ${m.churners} churned  CV ROC AUC ${m.cv_roc_auc} (hand-set ${m.hand_set_roc_auc})`;

export async function modelCommand(config: Config, logger: Logger, positionals: string[], flags: Flags): Promise<number> {
  const [sub, arg, arg2] = positionals;
  if (!sub || !SUBCOMMANDS.includes(sub)) {
    printErr(`cs-mcp model: say what to do: ${SUBCOMMANDS.join(", ")} (got ${sub ? `'${sub}'` : "nothing"}). Run cs-mcp --help.`);
    return 2;
  }
  if ((sub === "activate" || sub === "export" || sub === "import") && !arg) {
    printErr(`cs-mcp model ${sub}: ${sub === "activate" ? "VERSION (or hand-set)" : "FILE"} is required`);
    return 2;
  }
  // The file is read before the database opens: a wrong path costs nothing.
  let text = "";
  if (sub === "import") {
    try {
      text = readFileSync(arg!, "utf8");
    } catch (err) {
      printErr(`cs-mcp model import: cannot read ${arg}: ${(err as Error).message}`);
      return 2;
    }
  }
  const json = Boolean(flags.json);
  const db = await openDatabase(config, logger, { migrate: config.CS_MCP_AUTO_MIGRATE });
  try {
    const svc = new ChurnModelService(db.prisma);
    if (sub === "train") {
      const m = await svc.train();
      const cv = m.metrics.cv;
      if (json) printJson({ version: m.version, active: m.active, metrics: m.metrics });
      else {
        printOut(`model ${m.version} trained on ${m.metrics.accounts} accounts (${m.metrics.churners} churned), ${m.metrics.folds}-fold cross-validation, active: ${m.active}`);
        printOut(`              ROC AUC  PR AUC  Brier`);
        printOut(`learned       ${cv.learned.roc_auc.toFixed(4)}   ${cv.learned.pr_auc.toFixed(4)}  ${cv.learned.brier.toFixed(4)} (calibrated ${cv.learned_calibrated.brier.toFixed(4)})`);
        printOut(`hand-set      ${cv.hand_set.roc_auc.toFixed(4)}   ${cv.hand_set.pr_auc.toFixed(4)}  ${cv.hand_set.brier.toFixed(4)}`);
        printOut(`top features: ${m.metrics.top_features.map((f) => `${f.feature} (${f.effect})`).join(", ")}`);
      }
    } else if (sub === "list") {
      const r = await svc.list();
      if (json) printJson(r);
      else printOut([...r.models.map(line), `scoring with: ${r.scoring.version} (${r.scoring.kind})`].join("\n"));
    } else if (sub === "activate") {
      const m = await svc.activate(arg!);
      if (json) printJson(m);
      else printOut(`scoring with ${m.version} (${m.kind})`);
    } else if (sub === "export") {
      const r = await svc.export(arg2);
      writeFileSync(arg!, r.text);
      if (json) printJson({ version: r.version, file: arg });
      else printOut(`model ${r.version} written to ${arg}`);
    } else {
      const m = await svc.import(text, false);
      if (json) printJson(m);
      else printOut(`model ${m.version} imported (inactive); cs-mcp model activate ${m.version} makes it score`);
    }
    return 0;
  } catch (err) {
    if (err instanceof ToolError && err.code !== "internal_error") {
      printErr(`cs-mcp model ${sub}: ${err.message}${err.hint ? ` (${err.hint})` : ""}`);
      return 2;
    }
    throw err;
  } finally {
    await db.close();
  }
}
