// The email half of the communication toolset. The programs half (community, advocacy, executive reviews)
// is registered separately (programs.ts).
import { sendPersonalizedEmail } from "./send-personalized-email.ts";
import { automateCommunications } from "./automate-communications.ts";
import { automateNewsletters } from "./automate-newsletters.ts";

export const communicationTools = [sendPersonalizedEmail, automateCommunications, automateNewsletters];
