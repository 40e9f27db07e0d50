// The till panel's script, for both views: index.html (the cashier's, body data-view="cashier")
// and customer.html (the customer-facing display, data-view="customer").
//
// It loads the view's state (/panel/state or /panel/customer/state), then opens the view's
// WebSocket (/panel/events or /panel/customer/events), which sends the whole state again after
// every change; each message re-renders the page. When the socket closes, the page says the
// connection is lost (and dims what it shows) and tries again, loading the state first, after
// reconnect_delay_ms_min doubling up to reconnect_delay_ms_max.
//
// Every value from the daemon is set with textContent, never as HTML: card numbers, descriptions
// and reader names are data, not markup. The state's shapes are described in
// firmware/loyaltyd/panel/panel.h.
"use strict";

(function () {
  const reconnect_delay_ms_min = 500;
  const reconnect_delay_ms_max = 10000;

  const view = document.body.dataset.view === "customer" ? "customer" : "cashier";
  const base = view === "customer" ? "/panel/customer" : "/panel";

  const reader_kinds = { scanner: "Barcode scanner", msr: "Card reader" };
  const reader_statuses = {
    online: "Online",
    offline: "Offline",
    gone: "Gone",
    claimed: "Claimed by another program",
  };
  const customer_receipt_messages = {
    quoted: "In progress",
    open: "In progress",
    committed: "Thank you for shopping with us!",
  };
  const connection_texts = { connecting: "Connecting…", live: "Live", lost: "Connection lost" };
  const scan_notices = {
    "scan.payment_card": "A payment card was swiped: ask for the loyalty card.",
    "scan.unidentified": "The last scan is not a loyalty card of this programme.",
  };

  // --- Helpers -----------------------------------------------------------------------------

  function element(id) {
    const found = document.getElementById(id);
    if (found === null) throw new Error("panel: the page has no #" + id);
    return found;
  }

  function set_text(id, text) {
    element(id).textContent = text;
  }

  function show(id, visible) {
    element(id).hidden = !visible;
  }

  function make(tag, class_name, text) {
    const made = document.createElement(tag);
    if (class_name) made.className = class_name;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function whole(value) {
    return Number.isInteger(value) ? value : null;
  }

  // 12345 -> "12,345"
  function format_points(value) {
    const points = whole(value);
    if (points === null) return "–";
    const digits = String(Math.abs(points)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (points < 0 ? "−" : "") + digits;
  }

  // Minor units of a two-decimal currency: 10160 -> "101.60" ("101.60 EUR" with a currency).
  function format_money(value, currency) {
    const minor = whole(value);
    if (minor === null) return "–";
    const magnitude = Math.abs(minor);
    const units = format_points(Math.floor(magnitude / 100));
    const cents = String(magnitude % 100).padStart(2, "0");
    const text = (minor < 0 ? "−" : "") + units + "." + cents;
    return currency ? text + " " + currency : text;
  }

  // --- Rendering ---------------------------------------------------------------------------

  // customer: {card, member?, known?, blocked?, tier, available, posted?, held?, next_reward}
  function render_customer(customer) {
    show("customer-empty", customer === null);
    show("customer-details", customer !== null);
    if (customer === null) return;
    set_text("customer-card", customer.card || "");
    set_text("customer-tier", customer.tier || (view === "cashier" ? "none" : ""));
    set_text("balance-available", format_points(customer.available));
    const next = customer.next_reward;
    let next_text;
    if (next && whole(next.points_needed) !== null) {
      next_text = view === "customer"
          ? format_points(next.points_needed) + " more points for your next reward"
          : format_points(next.points_needed) + " points to the next reward (" +
                next.reward_id + ")";
    } else {
      next_text = view === "customer" ? "You have enough points for every reward!"
                                      : "Enough points for every reward";
    }
    set_text("next-reward", next_text);
    if (view !== "cashier") return;
    set_text("balance-posted", format_points(customer.posted));
    set_text("balance-held", format_points(customer.held));
    const member = element("customer-member");
    member.dataset.value = String(customer.member);
    member.textContent = customer.member ? "Enrolled" : "Not enrolled";
    const known = element("customer-known");
    known.dataset.value = String(customer.known);
    known.textContent = customer.known ? "Known to HQ" : "Not yet known to HQ";
    const blocked = element("customer-blocked");
    blocked.dataset.value = String(customer.blocked);
    blocked.hidden = !customer.blocked;
  }

  function offer_value(offer, currency) {
    const parts = [];
    if (whole(offer.discount_minor) > 0) {
      parts.push("−" + format_money(offer.discount_minor, currency));
    }
    if (whole(offer.points) > 0) parts.push("+" + format_points(offer.points) + " pts");
    return parts.join(" · ");
  }

  // receipt: {id?, state, quote: {totals, earned, burned, currency?} | null, offers}
  function render_receipt(receipt) {
    const empty = document.getElementById("receipt-empty");
    if (empty !== null) empty.hidden = receipt !== null;
    show("receipt-details", receipt !== null && (view === "cashier" || receipt.quote !== null));
    if (receipt === null) return;
    const state = element("receipt-state");
    state.dataset.state = receipt.state || "";
    state.textContent = view === "customer"
        ? customer_receipt_messages[receipt.state] || "" : receipt.state || "";
    if (view === "cashier") set_text("receipt-id", receipt.id || "");
    show("receipt-quote", receipt.quote !== null);
    if (receipt.quote === null) return;
    const quote = receipt.quote;
    const totals = quote.totals || {};
    set_text("receipt-gross", format_money(totals.gross_minor, quote.currency));
    const discount = whole(totals.discount_minor);
    set_text("receipt-discount",
             discount ? "−" + format_money(discount, quote.currency)
                      : format_money(discount, quote.currency));
    set_text("receipt-points-tender", format_money(totals.points_tender_minor, quote.currency));
    set_text("receipt-due", format_money(totals.due_minor, quote.currency));
    set_text("receipt-earned", format_points(quote.earned));
    set_text("receipt-burned", format_points(quote.burned));

    const offers = Array.isArray(receipt.offers) ? receipt.offers : [];
    const list = element("offer-list");
    list.replaceChildren();
    for (const offer of offers) {
      const item = make("li", "offer");
      if (offer.rule) item.dataset.rule = offer.rule;
      item.append(make("span", "offer-description", offer.description));
      item.append(make("span", "offer-value", offer_value(offer, quote.currency)));
      list.append(item);
    }
    show("offers-empty", offers.length === 0);
  }

  function render_readers(readers) {
    const list = element("reader-list");
    list.replaceChildren();
    for (const reader of readers) {
      const item = make("li", "reader");
      item.dataset.readerId = reader.id;
      item.dataset.status = reader.status;
      const what = make("div", "reader-what");
      what.append(make("span", "reader-kind", reader_kinds[reader.kind] || reader.kind));
      what.append(make("span", "reader-node", reader.name ? reader.name + " · " + reader.node
                                                          : reader.node));
      item.append(what);
      item.append(make("span", "chip reader-status",
                       reader_statuses[reader.status] || reader.status));
      if (reader.reason) item.append(make("span", "reader-reason", reader.reason));
      list.append(item);
    }
    show("readers-empty", readers.length === 0);
  }

  // The sync badge: offline, quarantined, or catching up with the backlog and the time left.
  function render_sync(sync, detail) {
    let text = "";
    if (sync === "offline") {
      text = "Offline: not syncing with HQ";
    } else if (sync === "quarantined") {
      text = "HQ has stopped taking this till's sales: call store IT";
    } else if (sync === "syncing") {
      text = "Catching up with HQ";
      if (detail && Number.isInteger(detail.backlog)) {
        text += ": " + detail.backlog + " events to send";
        if (Number.isInteger(detail.eta_seconds)) text += ", about " + detail.eta_seconds + " s";
      }
    }
    set_text("offline-badge", text);
    show("offline-badge", text !== "");
  }

  // The cashier's state, reshaped to what render_customer and render_receipt take.
  function render_cashier(state) {
    const customer = state.customer;
    const balance = (customer && customer.balance) || {};
    render_customer(customer ? {
      card: customer.customer_id,
      member: customer.member === true,
      known: customer.known === true,
      blocked: customer.blocked === true,
      tier: customer.tier ? customer.tier.name : null,
      available: balance.available,
      posted: balance.posted,
      held: balance.pending,
      next_reward: customer.next_reward,
    } : null);
    const receipt = state.receipt;
    const quote = receipt && receipt.quote ? receipt.quote : null;
    render_receipt(receipt ? {
      id: receipt.receipt_id,
      state: receipt.state,
      quote: quote ? {
        totals: quote.totals,
        earned: quote.points ? quote.points.earned : null,
        burned: quote.points ? quote.points.burned : null,
        currency: quote.currency,
      } : null,
      offers: receipt.offers,
    } : null);
    render_readers(Array.isArray(state.readers) ? state.readers : []);
    render_sync(state.sync, state.sync_detail);
    const notice = state.last_scan ? scan_notices[state.last_scan.type] : undefined;
    set_text("scan-notice", notice || "");
    show("scan-notice", Boolean(notice));
  }

  function render_customer_view(state) {
    render_customer(state.customer || null);
    const receipt = state.receipt;
    render_receipt(receipt ? {
      state: receipt.state,
      quote: receipt.totals ? {
        totals: receipt.totals,
        earned: receipt.points ? receipt.points.earned : null,
        burned: receipt.points ? receipt.points.burned : null,
      } : null,
      offers: receipt.offers,
    } : null);
  }

  function render(state) {
    if (state === null || typeof state !== "object") return;
    if (view === "customer") {
      render_customer_view(state);
    } else {
      render_cashier(state);
    }
  }

  // --- Connection --------------------------------------------------------------------------

  let failures = 0;

  function set_connection(state) {
    const pill = element("connection");
    pill.dataset.state = state;
    pill.textContent = connection_texts[state];
    show("connection-lost", state === "lost");
    document.body.classList.toggle("stale", state === "lost");
  }

  function retry() {
    set_connection("lost");
    const delay_ms = Math.min(reconnect_delay_ms_max, reconnect_delay_ms_min * 2 ** failures);
    failures = Math.min(failures + 1, 16);
    window.setTimeout(connect, delay_ms);
  }

  function open_socket() {
    const socket = new WebSocket("ws://" + location.host + base + "/events");
    socket.addEventListener("open", function () {
      failures = 0;
      set_connection("live");
    });
    socket.addEventListener("message", function (message) {
      try {
        render(JSON.parse(message.data));
      } catch (error) {
        console.error("panel: a message could not be shown", error);
      }
    });
    // An error is followed by close; close alone schedules the next attempt.
    socket.addEventListener("close", retry);
  }

  function connect() {
    fetch(base + "/state", { cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error(base + "/state: HTTP " + response.status);
          return response.json();
        })
        .then(function (state) {
          render(state);
          open_socket();
        })
        .catch(function (error) {
          console.error("panel:", error);
          retry();
        });
  }

  connect();
})();
