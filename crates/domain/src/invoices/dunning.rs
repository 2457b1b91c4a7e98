//! Humane reminders (relances): which step of a reminder plan is due today for one
//! invoice, given its history. The morning job asks this of every open invoice.
//!
//! The rules, property-tested below: nothing before the due date; nothing once the
//! invoice is paid or credited; nothing while a complaint about it is open (the step
//! waits and goes out once the complaint is closed); nothing for an invoice assigned
//! to a factor (the factor reminds); each step once, in order; and never two
//! reminders less than [`MIN_GAP_DAYS`] apart, so a step held for weeks does not go
//! out together with the next one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The fewest days between two reminders of one invoice.
pub const MIN_GAP_DAYS: u64 = 7;

/// How a reminder reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReminderChannel))]
pub enum Channel {
    /// An e-mail through the outbox.
    Email,
    /// A letter to print (PDF).
    Letter,
    /// A call to make: a task for a person.
    PhoneTask,
}

/// How a reminder speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReminderTone))]
pub enum Tone {
    /// A helping hand: "if anything is wrong with this invoice, tell us".
    Helping,
    /// A plain reminder.
    Reminder,
    /// Firm: the amounts owed for paying late may be added.
    Firm,
    /// The last one before other means.
    Final,
}

/// One step of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Days after the due date (0: the due date itself).
    pub days_after_due: u32,
    /// How.
    pub channel: Channel,
    /// In what tone.
    pub tone: Tone,
}

/// What the engine knows of one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceState {
    /// Due date.
    pub due_on: NaiveDate,
    /// Paid in full.
    pub paid: bool,
    /// Cancelled by a credit note.
    pub credited: bool,
    /// Assigned to a factor.
    pub factored: bool,
    /// A complaint about this invoice is open.
    pub disputed: bool,
    /// The plan's steps already sent, by index.
    pub sent: Vec<usize>,
    /// The day of the last reminder sent.
    pub last_sent_on: Option<NaiveDate>,
}

/// Why nothing goes out although a step is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hold {
    /// A complaint about the invoice is open.
    Disputed,
    /// The factor reminds.
    Factored,
}

/// What to do today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Nothing (not due yet, or every step sent, or settled).
    Nothing,
    /// Send this step.
    Send {
        /// Its index in the plan.
        step: usize,
    },
    /// The step is due but held.
    Held {
        /// Its index.
        step: usize,
        /// Why.
        hold: Hold,
    },
}

/// The first step not yet sent, in the plan's order of days.
fn next_step(plan: &[Step], sent: &[usize]) -> Option<usize> {
    let mut order: Vec<usize> = (0..plan.len()).collect();
    order.sort_by_key(|i| (plan[*i].days_after_due, *i));
    order.into_iter().find(|i| !sent.contains(i))
}

/// The day the next step may go out: its day after the due date, and at least
/// [`MIN_GAP_DAYS`] after the last reminder.
pub fn next_date(plan: &[Step], inv: &InvoiceState) -> Option<(usize, NaiveDate)> {
    let i = next_step(plan, &inv.sent)?;
    let by_plan = inv
        .due_on
        .checked_add_days(chrono::Days::new(u64::from(plan[i].days_after_due)))?;
    let by_gap = inv
        .last_sent_on
        .and_then(|d| d.checked_add_days(chrono::Days::new(MIN_GAP_DAYS)));
    Some((i, by_gap.map_or(by_plan, |g| g.max(by_plan))))
}

/// What the plan asks today for one invoice.
pub fn decide(plan: &[Step], inv: &InvoiceState, today: NaiveDate) -> Decision {
    if inv.paid || inv.credited {
        return Decision::Nothing;
    }
    let Some((step, on)) = next_date(plan, inv) else {
        return Decision::Nothing;
    };
    if today < on || today < inv.due_on {
        return Decision::Nothing;
    }
    if inv.factored {
        return Decision::Held {
            step,
            hold: Hold::Factored,
        };
    }
    if inv.disputed {
        return Decision::Held {
            step,
            hold: Hold::Disputed,
        };
    }
    Decision::Send { step }
}

/// The firm step an account's owner must hear about today (so that a key
/// account's contact is never surprised by a firm letter): the next step is firm
/// or final, goes out within `days`, nothing holds it, and the owner was not told
/// yet (`noticed` lists the steps already announced).
pub fn owner_notice_due(
    plan: &[Step],
    inv: &InvoiceState,
    today: NaiveDate,
    days: u32,
    noticed: &[usize],
) -> Option<usize> {
    if inv.paid || inv.credited || inv.factored || inv.disputed {
        return None;
    }
    let (i, on) = next_date(plan, inv)?;
    if !matches!(plan[i].tone, Tone::Firm | Tone::Final) || noticed.contains(&i) {
        return None;
    }
    let from = on.checked_sub_days(chrono::Days::new(u64::from(days)))?;
    (today >= from && today <= on).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn plan() -> Vec<Step> {
        vec![
            Step {
                days_after_due: 3,
                channel: Channel::Email,
                tone: Tone::Helping,
            },
            Step {
                days_after_due: 15,
                channel: Channel::Email,
                tone: Tone::Reminder,
            },
            Step {
                days_after_due: 30,
                channel: Channel::PhoneTask,
                tone: Tone::Firm,
            },
            Step {
                days_after_due: 45,
                channel: Channel::Letter,
                tone: Tone::Final,
            },
        ]
    }

    fn open(due: &str) -> InvoiceState {
        InvoiceState {
            due_on: d(due),
            paid: false,
            credited: false,
            factored: false,
            disputed: false,
            sent: Vec::new(),
            last_sent_on: None,
        }
    }

    #[test]
    fn steps_follow_the_plan() {
        let p = plan();
        let mut inv = open("2026-11-01");
        assert_eq!(decide(&p, &inv, d("2026-11-03")), Decision::Nothing);
        assert_eq!(decide(&p, &inv, d("2026-11-04")), Decision::Send { step: 0 });
        inv.sent.push(0);
        inv.last_sent_on = Some(d("2026-11-04"));
        assert_eq!(decide(&p, &inv, d("2026-11-15")), Decision::Nothing);
        assert_eq!(decide(&p, &inv, d("2026-11-16")), Decision::Send { step: 1 });
        inv.paid = true;
        assert_eq!(decide(&p, &inv, d("2026-12-20")), Decision::Nothing);
    }

    #[test]
    fn a_complaint_holds_the_step_which_resumes_after() {
        let p = plan();
        let mut inv = open("2026-11-01");
        inv.disputed = true;
        assert_eq!(
            decide(&p, &inv, d("2026-11-20")),
            Decision::Held {
                step: 0,
                hold: Hold::Disputed
            }
        );
        inv.disputed = false;
        assert_eq!(
            decide(&p, &inv, d("2026-11-25")),
            Decision::Send { step: 0 },
            "the held step, not a later one"
        );
        inv.sent.push(0);
        inv.last_sent_on = Some(d("2026-11-25"));
        assert_eq!(
            decide(&p, &inv, d("2026-11-30")),
            Decision::Nothing,
            "a week between two reminders"
        );
        assert_eq!(decide(&p, &inv, d("2026-12-02")), Decision::Send { step: 1 });
        inv.factored = true;
        assert_eq!(
            decide(&p, &inv, d("2026-12-20")),
            Decision::Held {
                step: 1,
                hold: Hold::Factored
            }
        );
    }

    #[test]
    fn the_owner_hears_before_a_firm_step() {
        let p = plan();
        let mut inv = open("2026-11-01");
        inv.sent = vec![0, 1];
        inv.last_sent_on = Some(d("2026-11-16"));
        // Step 2 (firm) goes out on 2026-12-01; told from 2026-11-26 with 5 days.
        assert_eq!(owner_notice_due(&p, &inv, d("2026-11-25"), 5, &[]), None);
        assert_eq!(owner_notice_due(&p, &inv, d("2026-11-26"), 5, &[]), Some(2));
        assert_eq!(owner_notice_due(&p, &inv, d("2026-11-27"), 5, &[2]), None, "once");
        inv.disputed = true;
        assert_eq!(owner_notice_due(&p, &inv, d("2026-11-27"), 5, &[]), None);
        inv.disputed = false;
        inv.sent = vec![];
        assert_eq!(
            owner_notice_due(&p, &inv, d("2026-11-03"), 5, &[]),
            None,
            "a helping step needs no notice"
        );
    }

    /// A tiny deterministic generator for the property runs (no crate needed).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
        fn chance(&mut self, per_mille: u64) -> bool {
            self.next() % 1000 < per_mille
        }
    }

    /// Day by day over 200 days, with complaints opening and closing and payments
    /// arriving at random, for 2,000 invoices: the rules of the module hold.
    #[test]
    fn properties_hold_day_by_day() {
        let p = plan();
        let mut rng = Lcg(20_261_204);
        for case in 0..2_000 {
            let due = d("2026-03-01") + chrono::Duration::days(i64::from(case % 40));
            let mut inv = open(&due.to_string());
            inv.factored = rng.chance(50);
            let mut sent_while_disputed = false;
            let mut day = due - chrono::Duration::days(10);
            for _ in 0..200 {
                if rng.chance(30) {
                    inv.disputed = !inv.disputed;
                }
                let decision = decide(&p, &inv, day);
                if let Decision::Send { step } = decision {
                    assert!(day >= due, "never before the due date");
                    assert!(!inv.paid && !inv.credited, "never once settled");
                    assert!(!inv.factored, "the factor reminds");
                    sent_while_disputed |= inv.disputed;
                    assert!(!inv.sent.contains(&step), "each step once");
                    assert_eq!(next_step(&p, &inv.sent), Some(step), "in order");
                    if let Some(last) = inv.last_sent_on {
                        assert!((day - last).num_days() >= MIN_GAP_DAYS as i64, "a week apart");
                    }
                    let reached = due + chrono::Duration::days(i64::from(p[step].days_after_due));
                    assert!(day >= reached, "not before its day");
                    inv.sent.push(step);
                    inv.last_sent_on = Some(day);
                }
                if rng.chance(8) {
                    inv.paid = true;
                }
                day = day.succ_opt().unwrap();
            }
            assert!(!sent_while_disputed, "never while a complaint is open");
            if !inv.paid && !inv.factored && !inv.disputed {
                assert!(inv.sent.len() <= p.len());
            }
        }
    }
}
