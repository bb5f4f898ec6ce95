# Converts the wa_churn data set of the R package modeldata (Debian: r-cran-modeldata) to CSV, once; the CSV
# is vendored next to this script and nothing at build, test or CI time needs R.
#   apt-get install -y r-cran-modeldata
#   Rscript bench/data/convert-modeldata.R bench/data
# Factors are written as their labels, missing values as empty cells, columns in the package's order.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else "."
data("wa_churn", package = "modeldata")
cat("modeldata", as.character(packageVersion("modeldata")), "wa_churn:", nrow(wa_churn), "rows,", ncol(wa_churn), "columns\n")
write.csv(as.data.frame(wa_churn), file.path(out, "wa_churn.csv"), row.names = FALSE, na = "", fileEncoding = "UTF-8")
