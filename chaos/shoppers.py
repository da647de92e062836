"""Shoppers for the chaos run: real HTTP against the shop and the sandbox's checkout page.

Each shopper follows a plan drawn from the run's seeded generator (what to buy, what to choose
at Mollie, whether to double-submit or pay again) and records every answer it gets in a shared
`Journal`. A shopper never retries forever: every loop has a count, every request a timeout,
and the whole run a deadline.
"""

import html
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import requests

REQUEST_TIMEOUT = 60
POLL_INTERVAL = 0.3
# A person who meets the "busy, try again in a moment" page waits about as long as it asks
# (Retry-After, at most this long) and tries again, a few times at most.
BUSY_WAIT_LIMIT = 5.0
BUSY_RETRIES = 3
CAUSE_HEADER = "X-Chaos-503-Cause"  # chaos/middleware.py
MAX_TRY_AGAIN = 3
# (slug, weight): untracked beans are bought most; the last grinder is what shoppers fight over.
ARTICLE_WEIGHTS = (
    ("coffee-beans", 40),
    ("espresso-cup", 25),
    ("ceramic-dripper", 15),
    ("pour-over-kettle", 8),
    ("linen-apron", 6),
)
LAST_ITEM = "last-one-grinder"
# What the shopper picks on Mollie's page; "abandon" closes the tab there (the payment stays open
# until Mollie expires it). "failed" and "canceled" happen inside a method: as at Mollie, the
# payment stays open and the shopper, back at method selection, returns to the shop.
# Mollie's pay-later methods (payments.services.methods): authorized on Mollie's page, not paid.
PAY_LATER_METHODS = frozenset({"klarna", "riverty", "in3", "billie"})
OUTCOME_WEIGHTS = (("paid", 52), ("failed", 12), ("canceled", 10), ("expired", 6), ("pending", 10), ("abandon", 10))
FAILS_INSIDE_CHECKOUT = {"failed", "canceled"}
UNSUCCESSFUL_STATES = {"failed", "canceled_payment", "expired_payment"}
# Where shoppers live: valid addresses in three of the shop's zones, one per shopper by number.
ADDRESSES = (
    {"street_and_number": "Keizersgracht 1", "postal_code": "1015 AA", "city": "Amsterdam", "country": "NL"},
    {"street_and_number": "Rue Neuve 12", "postal_code": "1000", "city": "Brussel", "country": "BE"},
    {"street_and_number": "Torstraße 5", "postal_code": "10119", "city": "Berlin", "country": "DE"},
    {
        "street_and_number": "Oudegracht 80",
        "postal_code": "3511AV",
        "city": "Utrecht",
        "country": "NL",
        "phone": "030 1234567",
    },
)
ORDER_PATH = re.compile(r"^/(?:[a-z]{2}/)?orders/(?P<order_id>[^/]+)/(?P<token>[^/]+)/$")  # /en/orders/… (docs/i18n.md)


@dataclass
class Plan:
    number: int
    articles: dict
    outcome: str
    double_submit: bool = False
    pay_again: bool = False
    double_pay_again: bool = False
    # Back from Mollie's page to the checkout and submit it again; perhaps with a changed cart,
    # perhaps then paying in both tabs.
    back_button: bool = False
    change_cart_after_back: bool = False
    pay_both_tabs: bool = False
    # A card or iDEAL payment: real Mollie will not cancel it while open (the common case).
    not_cancelable: bool = False
    # Chooses a method on our checkout page (one of those offered), or pays by bank transfer: the
    # payment stays open for days with instructions on the order page (settled by run.py later).
    choose_method: bool = False
    bank_transfer: bool = False
    polls: int = 8
    start_delay: float = 0.0


def make_plans(count, rng: random.Random, *, ramp_seconds=2.0):
    plans = []
    slugs, weights = zip(*ARTICLE_WEIGHTS, strict=True)
    outcomes, outcome_weights = zip(*OUTCOME_WEIGHTS, strict=True)
    for number in range(count):
        articles = {}
        for _ in range(rng.choice((1, 1, 1, 2))):
            slug = rng.choices(slugs, weights)[0]
            articles[slug] = articles.get(slug, 0) + rng.choice((1, 1, 2))
        if rng.random() < 0.10:
            articles[LAST_ITEM] = 1
        plans.append(
            Plan(
                number=number,
                articles=articles,
                outcome=rng.choices(outcomes, outcome_weights)[0],
                double_submit=rng.random() < 0.12,
                pay_again=rng.random() < 0.7,
                double_pay_again=rng.random() < 0.15,
                back_button=rng.random() < 0.2,
                change_cart_after_back=rng.random() < 0.4,
                pay_both_tabs=rng.random() < 0.5,
                not_cancelable=rng.random() < 0.6,
                choose_method=rng.random() < 0.3,
                bank_transfer=rng.random() < 0.12,
                polls=rng.randint(3, 10),
                start_delay=rng.random() * ramp_seconds,
            )
        )
    return plans


@dataclass
class Problem:
    shopper: int
    step: str
    what: str


@dataclass
class Journal:
    """Everything the shoppers saw, shared by their threads."""

    statuses: Counter = field(default_factory=Counter)  # (step, status) -> count
    notes: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)
    orders: dict = field(default_factory=dict)  # shopper number -> order id
    final_states: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, step, status):
        with self._lock:
            self.statuses[(step, status)] += 1

    def note(self, what):
        with self._lock:
            self.notes[what] += 1

    def problem(self, shopper, step, what):
        with self._lock:
            self.problems.append(Problem(shopper, step, what))

    def order(self, shopper, order_id):
        with self._lock:
            self.orders[shopper] = order_id

    def finished(self, state):
        with self._lock:
            self.final_states[state] += 1


class OutOfTime(Exception):
    pass


class Shopper:
    def __init__(self, plan: Plan, *, shop_url, journal: Journal, deadline, rng: random.Random):
        self.plan = plan
        self.shop_url = shop_url
        self.journal = journal
        self.deadline = deadline
        self.rng = rng
        self.session = requests.Session()
        self.order_url = None
        self.method_chosen = False  # at our checkout: Mollie's page then has no method selection
        self.pays_later = False  # Klarna, Riverty, in3 chosen: "paid" on Mollie's page is "authorized"

    # -- HTTP with bookkeeping -----------------------------------------------------------------

    def call(self, method, url, step, *, data=None, expect=(200,), session=None):
        """One request, no redirects followed; every answer is recorded, oddities are problems.

        A 503 "busy, try again" page is tried again as its shopper would: after about the wait
        it asks for, up to BUSY_RETRIES times (the same form again: for a checkout, the same
        checkout_id, hence the same order). A 503 no retry gets past is a problem."""
        response = self._call(method, url, step, data=data, expect=expect, session=session)
        if not _busy(response):
            return response
        for tries in range(1, BUSY_RETRIES + 1):
            time.sleep(min(_retry_after(response), BUSY_WAIT_LIMIT) * self.rng.uniform(0.5, 1.0))
            response = self._call(method, url, f"{step} (tried again)", data=data, expect=expect, session=session)
            if not _busy(response):
                self.journal.note(f"503 got past by trying again {tries}×")
                return response
        self.journal.note("503 not got past by trying again")
        self.journal.problem(
            self.plan.number,
            step,
            f"still 503 after trying again {BUSY_RETRIES} times on {method} {urlsplit(url).path}",
        )
        return response

    def _call(self, method, url, step, *, data, expect, session):
        if time.monotonic() > self.deadline:
            raise OutOfTime()
        if url.startswith("/"):
            url = self.shop_url + url
        ours = url.startswith(self.shop_url)
        try:
            response = (session or self.session).request(
                method, url, data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False
            )
        except requests.RequestException as error:
            self.journal.record(step, "no answer")
            self.journal.problem(
                self.plan.number, step, f"no answer from {'the shop' if ours else 'Mollie'}: {type(error).__name__}"
            )
            return None
        self.journal.record(step, response.status_code)
        if response.status_code == 503 and ours and "<h1" in response.text:
            # "Busy, try again in a moment": a clear answer to a passing outage, not a crash.
            self.journal.note(f"busy page (503) at {step}")
            self.journal.note(f"busy page (503), cause: {response.headers.get(CAUSE_HEADER, 'not told')}")
        elif response.status_code >= 500 and ours:
            self.journal.problem(
                self.plan.number,
                step,
                f"{response.status_code} on {method} {urlsplit(url).path}: {_title(response.text)}",
            )
        elif response.status_code not in expect and ours:
            self.journal.problem(
                self.plan.number,
                step,
                f"unexpected {response.status_code} on {method} {urlsplit(url).path}: {_title(response.text)}",
            )
        return response

    def follow(self, response, step):
        """GETs where a redirect points; returns the page (or None)."""
        if response is None or response.status_code not in (301, 302, 303):
            return response
        return self.call("GET", response.headers["Location"], step)

    # -- the journey ---------------------------------------------------------------------------

    def run(self):
        try:
            time.sleep(self.plan.start_delay)
            self._journey()
        except OutOfTime:
            self.journal.note("cut short by the deadline")
            self.journal.finished("cut short")

    def _journey(self):
        page = self.call("GET", "/en/", "shop page")
        if page is None or page.status_code != 200:
            return self.journal.finished("no shop page")
        token = _csrf(page.text)
        for slug, quantity in self.plan.articles.items():
            self.add_to_cart(slug, quantity, token)
        self.follow_to("/en/cart/", "cart")
        landing = self.checkout()
        if landing is None:
            return self.journal.finished("checkout failed")
        if landing == "refused":
            # Sold out: the shopper empties the cart and buys only beans instead (once).
            self.journal.note("refused at checkout (clear cart page)")
            self.replace_cart_with_beans()
            landing = self.checkout()
            if landing in (None, "refused"):
                return self.journal.finished("gave up after a refusal")
        if self.plan.back_button and not landing.startswith(self.shop_url):
            landing = self.back_and_checkout_again(landing)
            if landing is None:
                return self.journal.finished("checkout failed after the back button")
        self.pay(landing, self.plan.outcome)

    def back_and_checkout_again(self, first_tab):
        """On Mollie's page the shopper presses Back (perhaps changes the cart) and checks out
        again in a second tab; perhaps pays in the first tab too. Returns where the second tab is."""
        self.journal.note("back from Mollie, checked out again")
        if self.plan.not_cancelable:
            base, payment_id = _sandbox_base_and_payment(first_tab)
            self.call(
                "POST",
                f"{base}/_sandbox/payments/{payment_id}/cancelable",
                "Mollie: card chosen",
                data={"cancelable": "false"},
            )
        if self.plan.change_cart_after_back:
            token = _csrf(self.follow_to("/en/cart/", "cart").text)
            self.add_to_cart("coffee-beans", 1, token)
        second_tab = self.checkout()
        if second_tab is None:
            return None
        if second_tab == "refused":
            # The first payment cannot be stopped: the cart page says to finish it, with a link.
            self.journal.note("told to finish the earlier payment first")
            second_tab = first_tab
        elif second_tab != first_tab and not second_tab.startswith(self.shop_url):
            if self.plan.change_cart_after_back:
                self.journal.note("earlier payment stopped, new payment for the changed cart")
            else:
                self._check_one_payable_payment(
                    (first_tab, second_tab), "checkout again", "the same cart got a second payment"
                )
        if self.plan.pay_both_tabs and second_tab != first_tab:
            self.journal.note("paid in both tabs")
            self.choose_at_mollie(first_tab, "paid", "Mollie choice (first tab)")
        return second_tab

    def _check_one_payable_payment(self, checkout_urls, step, what):
        """The same cart got several payments: right only when each earlier one had ended at
        Mollie (expired while the shopper was away or their request waited, failed, canceled)
        before the newest was created, never while two could be paid."""
        payments = [self._payment_at_mollie(url) for url in checkout_urls]
        if any(payment is None for payment in payments):
            self.journal.problem(self.plan.number, step, f"{what}: the sandbox could not tell their statuses")
            return
        payments.sort(key=lambda payment: _moment(payment["createdAt"]))
        newest = _moment(payments[-1]["createdAt"])
        overlapping = [
            payment
            for payment in payments[:-1]
            if not any(payment.get(ended) and _moment(payment[ended]) <= newest for ended in ENDED_AT)
        ]
        if overlapping:
            statuses = {payment["id"]: payment["status"] for payment in payments}
            self.journal.problem(self.plan.number, step, f"{what} while an earlier one could be paid: {statuses}")
        else:
            self.journal.note(f"{what} after the earlier one ended")

    def _payment_at_mollie(self, checkout_url):
        base, payment_id = _sandbox_base_and_payment(checkout_url)
        answer = self.call("GET", f"{base}/_sandbox/payments/{payment_id}", "Mollie: payment status")
        return answer.json() if answer is not None and answer.status_code == 200 else None

    def choose_at_mollie(self, checkout_url, outcome, step):
        payment_path = urlsplit(checkout_url).path  # /checkout/tr_...
        base = checkout_url[: checkout_url.index(payment_path)]
        if outcome in FAILS_INSIDE_CHECKOUT and not self.method_chosen:
            # As at Mollie, failing inside a method leaves the payment open on the method choice
            # (with a method given at creation there is no choice to go back to: it is final).
            inside = self.call("POST", base + payment_path, step, data={"status": outcome}, expect=(200,))
            if inside is None or inside.status_code != 200:
                return inside
            self.journal.note(f"{outcome} inside Mollie's checkout, came back")
            outcome = "open"  # "Back to the shop": the payment is still open
        if outcome == "paid" and self.pays_later:
            outcome = "authorized"  # captured later, when staff ship
        return self.call("POST", base + payment_path, step, data={"status": outcome}, expect=(303,))

    def follow_to(self, path, step):
        return self.call("GET", path, step)

    def checkout(self):
        """GET and POST the checkout form; returns the Mollie URL, the order page URL, "refused" or None."""
        form = self.call("GET", "/en/checkout/", "checkout page", expect=(200, 302))
        if form is None or form.status_code not in (200, 302):
            return None
        if form.status_code == 302:
            self.journal.note("cart empty at checkout")
            return None
        fields = {
            "name": f"Shopper {self.plan.number}",
            "email": f"shopper{self.plan.number}@example.com",
            "checkout_id": _input_value(form.text, "checkout_id"),
            "csrfmiddlewaretoken": _csrf(form.text),
            **ADDRESSES[self.plan.number % len(ADDRESSES)],
        }
        offered = [m for m in re.findall(r'name="method" value="([a-z0-9]*)"', form.text) if m]
        if self.plan.bank_transfer and "banktransfer" in offered:
            fields["method"] = "banktransfer"
        elif self.plan.choose_method and offered:
            fields["method"] = self.rng.choice([m for m in offered if m != "banktransfer"] or offered)
        if fields.get("method"):
            self.journal.note(f"chose {fields['method']} at checkout")
            self.method_chosen = True
            self.pays_later = fields["method"] in PAY_LATER_METHODS
        # With a method chosen, a 422 may say Mollie cannot check methods right now (an injected
        # API fault): a person leaves the choice to Mollie's page and sends the form again.
        expect = (302, 303, 422) if fields.get("method") else (302, 303)
        if self.plan.double_submit:
            answers = self._twice("POST", "/en/checkout/", "checkout POST", fields, expect=expect)
            self.journal.note("double-submitted the checkout form")
            if any(a is not None and a.status_code == 422 for a in answers):
                answers = [self._without_method(fields, a) for a in answers]
            self._same_order_check(answers)
            answer = answers[0]
        else:
            answer = self._without_method(
                fields, self.call("POST", "/en/checkout/", "checkout POST", data=fields, expect=expect)
            )
        return self._landing(answer)

    def _without_method(self, fields, answer):
        if answer is None or answer.status_code != 422:
            return answer
        if "choose another way to pay" in answer.text:
            # A bank transfer this order may not have (the last units, or one open per e-mail):
            # the shopper leaves the choice to Mollie's page, which offers the other methods.
            self.journal.note("bank transfer not offered: left the choice to Mollie's page")
        elif "We cannot check payment methods right now" not in answer.text:
            self.journal.problem(self.plan.number, "checkout POST", f"422: {_title(answer.text)}")
            return None
        else:
            self.journal.note("method list unavailable: left the choice to Mollie's page")
        self.method_chosen = self.pays_later = False
        fields = {name: value for name, value in fields.items() if name != "method"}
        return self.call("POST", "/en/checkout/", "checkout POST without method", data=fields, expect=(302, 303))

    def _landing(self, answer):
        if answer is None or answer.status_code not in (302, 303):
            return None
        location = answer.headers["Location"]
        if location.startswith(self.shop_url):
            location = location[len(self.shop_url) :]
        if location.startswith("/en/cart/"):
            cart = self.call("GET", "/en/cart/", "cart after refusal")
            if cart is not None and cart.status_code == 200 and 'role="alert"' not in cart.text:
                self.journal.problem(self.plan.number, "cart after refusal", "refused without a message")
            return "refused"
        if location.startswith("/en/orders/"):
            return self.shop_url + location
        return location  # Mollie's checkout page

    def _twice(self, method, url, step, data, *, expect):
        """The same form submitted twice at once (a double click), from the same browser."""
        results = [None, None]
        twin = requests.Session()
        twin.cookies.update(self.session.cookies)

        def submit(index, session):
            results[index] = self.call(method, url, step, data=data, expect=expect, session=session)

        threads = [
            threading.Thread(target=submit, args=(0, self.session)),
            threading.Thread(target=submit, args=(1, twin)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + 5)
        return results

    def _same_order_check(self, answers):
        targets = {
            answer.headers.get("Location")
            for answer in answers
            if answer is not None and answer.status_code in (302, 303)
        }
        mollie_pages = {target for target in targets if target and "/checkout/tr_" in target}
        if len(mollie_pages) > 1:
            self._check_one_payable_payment(mollie_pages, "checkout POST", "a double submit led to two payments")

    def replace_cart_with_beans(self):
        cart = self.call("GET", "/en/cart/", "cart")
        if cart is None or cart.status_code != 200:
            return
        token = _csrf(cart.text)
        for slug in self.plan.articles:
            self.call(
                "POST",
                "/en/cart/update/",
                "update cart",
                data={"slug": slug, "quantity": 0, "remove": "1", "csrfmiddlewaretoken": token},
                expect=(302,),
            )
        self.add_to_cart("coffee-beans", 1, token)

    def add_to_cart(self, slug, quantity, token):
        self.call(
            "POST",
            "/en/cart/add/",
            "add to cart",
            data={"slug": slug, "quantity": quantity, "csrfmiddlewaretoken": token},
            expect=(302,),
        )

    def pay(self, landing, outcome, *, round_no=1):
        """From where the checkout sent us (Mollie or our order page) to a final state."""
        if landing.startswith(self.shop_url):
            return self.on_order_page(landing, outcome, round_no=round_no)
        page = self.call("GET", landing, "Mollie checkout page", expect=(200,))
        if page is None:
            return self.journal.finished("Mollie page unreachable")
        if outcome == "abandon":
            self.journal.note("abandoned at Mollie")
            return self.journal.finished("abandoned at Mollie")
        if self.plan.bank_transfer and "Bank transfer instructions" in page.text:
            # Reads the instructions and goes back to the shop: the payment stays open for days.
            outcome = "open"
        chosen = self.choose_at_mollie(landing, outcome, "Mollie choice")
        if chosen is None or chosen.status_code != 303:
            self.journal.note("Mollie choice not accepted")
            return self.journal.finished("Mollie choice not accepted")
        if outcome in FAILS_INSIDE_CHECKOUT and not self.method_chosen:
            outcome = "open"  # came back to the shop with the payment still open
        return self.on_order_page(chosen.headers["Location"], outcome, round_no=round_no)

    def on_order_page(self, url, outcome, *, round_no):
        match = ORDER_PATH.match(urlsplit(url).path)
        if match is None:
            self.journal.problem(self.plan.number, "order page", f"sent to an unexpected page {url}")
            return self.journal.finished("lost")
        self.journal.order(self.plan.number, match["order_id"])
        page = self.call("GET", url, "order page")
        if page is None or page.status_code != 200:
            return self.journal.finished("no order page")
        state = self.poll(url)
        if state != _page_state(page.text):
            # The page's script reloads it once the outcome is known; the new page has the actions.
            page = self.call("GET", url, "order page (reloaded)")
            if page is None or page.status_code != 200:
                return self.journal.finished("no order page")
        if state == "awaiting_transfer":
            if "Bank transfer instructions" not in page.text:
                self.journal.problem(self.plan.number, "order page", "a bank transfer without its instructions")
            return self.journal.finished("awaiting transfer")
        if state == "not_started":
            # Mollie could not be reached: the page says so and offers "Try again".
            if 'role="alert"' not in page.text and "Try again" not in page.text:
                self.journal.problem(self.plan.number, "order page", "provider down without a clear message")
            self.journal.note("provider down page (Try again)")
            if round_no > MAX_TRY_AGAIN:
                return self.journal.finished("gave up: provider down")
            time.sleep(0.2 * round_no)
            return self.pay_again(url, page, outcome, round_no=round_no + 1, step="try again")
        if state == "open" and outcome == "open":
            # Back from a failure inside the checkout: continue paying the same payment, or
            # leave it for Mollie to expire.
            checkout_link = re.search(r'<a class="button" href="([^"]+)">Continue to payment</a>', page.text)
            if self.plan.pay_again and checkout_link and round_no <= MAX_TRY_AGAIN:
                self.journal.note("continued to the open payment")
                return self.pay(html.unescape(checkout_link.group(1)), "paid", round_no=round_no + 1)
            self.journal.note("left the payment open")
            return self.journal.finished("left open")
        if state in UNSUCCESSFUL_STATES and self.plan.pay_again and round_no <= MAX_TRY_AGAIN:
            self.journal.note(f"pay again after {state}")
            return self.pay_again(url, page, "paid", round_no=round_no + 1, step="pay again")
        self.journal.finished(state or "unknown")

    def pay_again(self, url, page, outcome, *, round_no, step):
        token = _csrf(page.text)
        data = {"csrfmiddlewaretoken": token}
        if self.plan.double_pay_again:
            answers = self._twice("POST", url + "pay/", step, data, expect=(302, 303))
            self.journal.note(f"double-clicked {step}")
            self._same_order_check(answers)
            answer = next((a for a in answers if a is not None and a.status_code == 303), answers[0])
        else:
            answer = self.call("POST", url + "pay/", step, data=data, expect=(302, 303))
        landing = self._landing(answer)
        if landing in (None, "refused"):
            return self.journal.finished(f"{step} failed")
        return self.pay(landing, outcome, round_no=round_no)

    def poll(self, url):
        """status.json a bounded number of times, until the page would stop polling; the last state."""
        state = None
        for _ in range(self.plan.polls):
            answer = self.call("GET", url + "status.json", "status poll")
            if answer is None or answer.status_code != 200:
                return state
            status = answer.json()
            state = status.get("status")
            if not status.get("keep_polling"):
                return state
            time.sleep(POLL_INTERVAL)
        return state


def _busy(response):
    return response is not None and response.status_code == 503


def _retry_after(response):
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return 2.0


def _input_value(page, name):
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(rf'name="{re.escape(name)}"', tag):
            value = re.search(r'value="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    return ""


# When Mollie ended a payment that was never paid (the payment's *At fields).
ENDED_AT = ("expiredAt", "failedAt", "canceledAt")


def _moment(timestamp):
    return datetime.fromisoformat(timestamp)


def _sandbox_base_and_payment(checkout_url):
    """The sandbox's base URL and the payment id of one of its checkout pages (/checkout/tr_…)."""
    payment_path = urlsplit(checkout_url).path
    return checkout_url[: checkout_url.index(payment_path)], payment_path.rsplit("/", 1)[-1]


def _page_state(page):
    match = re.search(r'class="order-status state-([a-z_]+)', page)
    return match.group(1) if match else None


def _csrf(page):
    return _input_value(page, "csrfmiddlewaretoken")


def _title(page):
    match = re.search(r"<title>(.*?)</title>", page or "", re.S)
    return (match.group(1).strip() if match else (page or "")[:80]).replace("\n", " ")


def run_shoppers(plans, *, shop_url, journal, deadline, seed):
    """All shoppers at once, one thread each; returns when they are done or the deadline passed."""
    threads = []
    for plan in plans:
        shopper = Shopper(
            plan, shop_url=shop_url, journal=journal, deadline=deadline, rng=random.Random(f"{seed}-{plan.number}")
        )
        thread = threading.Thread(target=shopper.run, name=f"shopper-{plan.number}", daemon=True)
        threads.append(thread)
        thread.start()
    # A shopper past the deadline finishes at most the request it is in.
    hard_stop = max(deadline, time.monotonic()) + REQUEST_TIMEOUT + 5
    for thread in threads:
        thread.join(max(0.0, hard_stop - time.monotonic()))
    return sum(thread.is_alive() for thread in threads)
