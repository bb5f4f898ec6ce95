// The communication toolset's program tools: customer communities, the advocacy program and executive
// business reviews. The toolset's index (owned with the messaging tools) and ALL_TOOLS include this list.
import { manageCommunity } from "./manage-community.ts";
import { manageAdvocacyProgram } from "./manage-advocacy-program.ts";
import { conductExecutiveReview } from "./conduct-executive-review.ts";

export const communicationProgramTools = [manageCommunity, manageAdvocacyProgram, conductExecutiveReview];
