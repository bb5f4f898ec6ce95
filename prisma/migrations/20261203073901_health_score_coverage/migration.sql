-- AlterTable
ALTER TABLE "health_scores" ADD COLUMN     "coverage" DOUBLE PRECISION,
ALTER COLUMN "overall_score" DROP NOT NULL,
ALTER COLUMN "trend" DROP NOT NULL;
