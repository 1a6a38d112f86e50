//! Live watchers on the simulated world's streams (INBOX-2, INBOX-3): a phone's SMS and a
//! mailbox's letters, each new one announced as a [`CoreEvent`] (an SMS already judged), with
//! reconnects and catch-up after a drop. A core set to follow (`CoreConfig::follow_inbox`, the
//! app) keeps the ones it needs itself and points them at the active account as it changes.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::StreamExt;
use mymts_proto::PhoneNumber;
use mymts_proto::wire::{AccountOverview, Mail, MailFolder, Sms};
use reqwest_eventsource::{Event, EventSource};

use super::classify;
use crate::domain::{Verdict, mailbox_address};
use crate::error::CoreResult;
use crate::events::CoreEvent;
use crate::ops::account::VIEW_OVERVIEW;
use crate::{Core, WeakCore};

/// A running inbox or mailbox watcher; dropping it stops it.
pub struct InboxWatch {
    task: tokio::task::JoinHandle<()>,
}

impl InboxWatch {
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for InboxWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a core's own watchers follow ([`crate::CoreConfig::follow_inbox`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watched {
    /// The active mobile account's phone.
    pub account: Option<PhoneNumber>,
    /// The number the login screen awaits a code for.
    pub login: Option<PhoneNumber>,
    /// The mailbox on screen, else the active account's recovery address.
    pub mailbox: Option<String>,
}

/// The watchers a core keeps: at most one per purpose, never two on one number, one mailbox.
#[derive(Default)]
pub(crate) struct InboxWatches {
    account: Option<(PhoneNumber, InboxWatch)>,
    login: Option<(PhoneNumber, InboxWatch)>,
    mail: Option<(String, InboxWatch)>,
}

impl Core {
    /// What this core's watchers follow now.
    pub async fn watched(&self) -> Watched {
        let w = self.inner.watches.lock().await;
        Watched {
            account: w.account.as_ref().map(|(n, _)| n.clone()),
            login: w.login.as_ref().map(|(n, _)| n.clone()),
            mailbox: w.mail.as_ref().map(|(a, _)| a.clone()),
        }
    }

    /// Watches `number` for the login screen's code, unless a watcher already follows it.
    pub async fn watch_login_phone(&self, number: &PhoneNumber) -> CoreResult<()> {
        self.inner
            .watches
            .lock()
            .await
            .watch_login(self, number)
            .await
    }

    /// Follows the mailbox at `address` (the one the user looks at), replacing another.
    pub async fn watch_mailbox(&self, address: &str) -> CoreResult<()> {
        self.inner
            .watches
            .lock()
            .await
            .watch_mail(self, address)
            .await
    }

    /// Points the watchers at the active account, in the background (with `follow_inbox`):
    /// after every change of the active account, and when its overview may name a new
    /// recovery mailbox. Each run reads the active account when it gets the watchers, so runs
    /// in any order end at the latest one.
    pub(crate) fn follow_soon(&self) {
        if !self.inner.follow_inbox {
            return;
        }
        self.in_background(|core| async move {
            core.inner
                .watches
                .lock()
                .await
                .follow_active_account(&core)
                .await;
        });
    }
}

impl InboxWatches {
    /// Points the account watcher at the active account's phone (mobile accounts only); takes
    /// over the login screen's watcher when it already follows that number.
    async fn follow_active_account(&mut self, core: &Core) {
        self.follow_recovery_mailbox(core).await;
        let target = core
            .current()
            .filter(|s| s.account.kind == mymts_proto::wire::AccountKind::Mobile)
            .and_then(|s| s.account.login.phone());
        if self.account.as_ref().map(|(n, _)| n) == target.as_ref() {
            return;
        }
        self.account = None;
        let Some(number) = target else { return };
        if self.login.as_ref().is_some_and(|(n, _)| *n == number) {
            self.account = self.login.take();
            return;
        }
        match core.watch_inbox(&number).await {
            Ok(watch) => self.account = Some((number, watch)),
            Err(e) => tracing::warn!(code = e.code(), "cannot watch the account's inbox"),
        }
    }

    /// Watches `phone` for the login screen's code, unless a watcher already follows it.
    async fn watch_login(&mut self, core: &Core, number: &PhoneNumber) -> CoreResult<()> {
        let watched =
            |s: &Option<(PhoneNumber, InboxWatch)>| s.as_ref().is_some_and(|(n, _)| n == number);
        if watched(&self.account) || watched(&self.login) {
            return Ok(());
        }
        let watch = core.watch_inbox(number).await?;
        self.login = Some((number.clone(), watch));
        Ok(())
    }

    /// Follows the active account's recovery mailbox, as its cached overview names it, unless a
    /// mailbox is already followed: the one on screen wins.
    async fn follow_recovery_mailbox(&mut self, core: &Core) {
        if self.mail.is_some() {
            return;
        }
        let address = core.current().and_then(|s| {
            core.cached_view::<AccountOverview>(&s.account.login, VIEW_OVERVIEW)
                .ok()
                .flatten()
                .and_then(|c| c.value.recovery_email)
        });
        if let Some(address) = address
            && let Err(e) = self.watch_mail(core, &address).await
        {
            tracing::warn!(code = e.code(), "cannot watch the recovery mailbox");
        }
    }

    /// Follows the mailbox at `address`, replacing another.
    async fn watch_mail(&mut self, core: &Core, address: &str) -> CoreResult<()> {
        let address = mailbox_address(address)?;
        if self.mail.as_ref().is_some_and(|(a, _)| *a == address) {
            return Ok(());
        }
        let watch = core.watch_mail(&address).await?;
        self.mail = Some((address, watch));
        Ok(())
    }
}

/// What a watcher follows: a phone's SMS stream or a mailbox's mail stream.
#[derive(Debug, Clone)]
enum Feed {
    Phone(PhoneNumber),
    Mailbox(String),
}

/// One item of a feed.
enum Item {
    Sms(Sms),
    Mail(Mail),
}

impl Item {
    /// Unique per feed (the operator never reuses one). They are given when a message is
    /// *sent*, so they do not grow with delivery: an SMS the network delayed arrives after a
    /// later one with a higher id. Watchers therefore remember which ids they have seen instead
    /// of the highest one.
    fn id(&self) -> i64 {
        match self {
            Self::Sms(s) => s.id,
            Self::Mail(m) => m.id,
        }
    }
}

impl Feed {
    /// The live stream's request, on the world door with its token (SEC-1).
    fn stream(&self, core: &Core, http: &reqwest::Client) -> CoreResult<reqwest::RequestBuilder> {
        match self {
            Self::Phone(n) => core.inner.client.sms_stream(http, n),
            Self::Mailbox(a) => core.inner.client.mail_stream(http, a),
        }
    }

    fn event(&self) -> &'static str {
        match self {
            Self::Phone(_) => "sms",
            Self::Mailbox(_) => "mail",
        }
    }

    fn parse(&self, data: &str) -> serde_json::Result<Item> {
        Ok(match self {
            Self::Phone(_) => Item::Sms(serde_json::from_str(data)?),
            Self::Mailbox(_) => Item::Mail(serde_json::from_str(data)?),
        })
    }

    /// What arrived after `after` (everything when `None`), oldest first.
    async fn since(&self, core: &Core, after: Option<i64>) -> CoreResult<Vec<Item>> {
        let client = &core.inner.client;
        let mut items: Vec<Item> = match self {
            Self::Phone(n) => {
                // The operator answers in pages ordered by id: read on until one comes back empty.
                let mut all = Vec::new();
                let mut cursor = after;
                loop {
                    let page = client.messages(n, cursor).await?;
                    let Some(last) = page.iter().map(|s| s.id).max() else {
                        break;
                    };
                    cursor = Some(last);
                    all.extend(page.into_iter().map(Item::Sms));
                }
                all
            }
            Self::Mailbox(a) => {
                let mut all = client.mail(a, MailFolder::Inbox).await?;
                all.extend(client.mail(a, MailFolder::Spam).await?);
                all.into_iter()
                    .filter(|m| after.is_none_or(|after| m.id > after))
                    .map(Item::Mail)
                    .collect()
            }
        };
        items.sort_by_key(Item::id);
        Ok(items)
    }

    fn announce(&self, core: &Core, item: Item) {
        match (self, item) {
            (Self::Phone(number), Item::Sms(sms)) => {
                let message = classify(&sms);
                let notice = message.verdict == Verdict::Genuine && message.code.is_none();
                core.emit(CoreEvent::Sms {
                    number: number.clone(),
                    message,
                });
                if notice {
                    core.refresh_home_after_notice(number);
                }
            }
            (Self::Mailbox(address), Item::Mail(mail)) => core.emit(CoreEvent::Mail {
                address: address.clone(),
                mail,
            }),
            _ => {}
        }
    }

    fn connected(&self, core: &Core, connected: bool) {
        // The live stream is the operator answering too: a drop says it is gone until a
        // reconnect or any answer says otherwise.
        core.inner.client.reach().report(
            connected,
            (!connected).then(|| "the operator's live stream dropped".to_string()),
        );
        match self {
            Self::Phone(number) => core.emit(CoreEvent::InboxStream {
                number: number.clone(),
                connected,
            }),
            Self::Mailbox(address) => {
                tracing::debug!(
                    connected,
                    "mail stream of {}",
                    mymts_proto::mask_email(address)
                );
            }
        }
    }
}

const BACKOFF_START: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

impl Core {
    /// Follows the phone's live SMS stream and emits [`CoreEvent::Sms`] for each new message.
    /// Messages already in the inbox are not announced. After a drop it reconnects with
    /// exponential backoff and first catches up on what arrived meanwhile.
    pub async fn watch_inbox(&self, phone: &PhoneNumber) -> CoreResult<InboxWatch> {
        let feed = Feed::Phone(phone.clone());
        // An unreadable inbox now is no reason not to watch: the stream catches up later.
        let last = feed.since(self, None).await.ok();
        Ok(self.spawn_watch(feed, last))
    }

    /// Follows a mailbox's live stream (INBOX-2) and emits [`CoreEvent::Mail`] for each new
    /// letter, in Inbox or Spam, as [`Core::watch_inbox`] does for SMS.
    pub async fn watch_mail(&self, address: &str) -> CoreResult<InboxWatch> {
        let feed = Feed::Mailbox(mailbox_address(address)?);
        // Unlike a phone, a mailbox that does not exist is the caller's mistake: say so.
        let last = feed.since(self, None).await?;
        Ok(self.spawn_watch(feed, Some(last)))
    }

    fn spawn_watch(&self, feed: Feed, seen: Option<Vec<Item>>) -> InboxWatch {
        let seen: HashSet<i64> = seen
            .map(|items| items.iter().map(Item::id).collect())
            .unwrap_or_default();
        // The task holds the core weakly: the core keeps its own watchers (`InboxWatches`), and
        // a strong hold would keep the two alive for each other. A core that is gone ends it.
        let core = self.downgrade();
        let task = tokio::spawn(watch_loop(core, feed, seen));
        InboxWatch { task }
    }
}

async fn watch_loop(core: WeakCore, feed: Feed, mut seen: HashSet<i64>) {
    let http = match reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
    {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "a stream watcher cannot build its client");
            return;
        }
    };
    let mut backoff = BACKOFF_START;
    // Each message once, whatever the order its id comes in (see `Item::id`).
    let announce = |core: &Core, item: Item, seen: &mut HashSet<i64>| {
        if seen.insert(item.id()) {
            feed.announce(core, item);
        }
    };
    loop {
        let Some(c) = core.upgrade() else { return };
        let request = match feed.stream(&c, &http) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(code = e.code(), "a stream watcher has no world door");
                return;
            }
        };
        drop(c);
        let mut es = match EventSource::new(request) {
            Ok(es) => es,
            Err(e) => {
                tracing::error!(error = %e, "a stream request cannot be built");
                return;
            }
        };
        // Our own backoff, so that a reconnect always catches up first.
        es.set_retry_policy(Box::new(reqwest_eventsource::retry::Never));
        while let Some(ev) = es.next().await {
            let Some(c) = core.upgrade() else { return };
            match ev {
                Ok(Event::Open) => {
                    backoff = BACKOFF_START;
                    feed.connected(&c, true);
                    // A delayed message may have a lower id than one already seen, so the
                    // catch-up reads the whole inbox, not only what follows the last id.
                    if let Ok(missed) = feed.since(&c, None).await {
                        for item in missed {
                            announce(&c, item, &mut seen);
                        }
                    }
                }
                Ok(Event::Message(m)) if m.event == feed.event() => match feed.parse(&m.data) {
                    Ok(item) => announce(&c, item, &mut seen),
                    Err(e) => tracing::warn!(error = %e, "unreadable {} event", feed.event()),
                },
                Ok(Event::Message(_)) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "stream dropped");
                    break;
                }
            }
        }
        es.close();
        let Some(c) = core.upgrade() else { return };
        feed.connected(&c, false);
        drop(c);
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}
