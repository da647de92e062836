// A Node shop's payment against the Mollie sandbox, with Mollie's official client (@mollie/api-client):
// create a payment, pay it on the hosted checkout page (the form POST a shopper's browser sends),
// receive Mollie's webhook and fetch the payment it names. Prints one JSON line of what it saw.
// Usage: MOLLIE_SANDBOX_URL=https://127.0.0.1:PORT MOLLIE_SANDBOX_CA=certificate.pem node pay_with_node_client.cjs
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");

// The client speaks HTTPS only (an https.Agent on every request), and trusts only the CA bundle it
// ships (createMollieClient passes its own `caCertificates`, whatever the options say). So the sandbox
// serves HTTPS (--tls-cert) and its certificate is added to what every https.Agent trusts.
const sandboxCertificate = fs.readFileSync(process.env.MOLLIE_SANDBOX_CA);
const PlainAgent = https.Agent;
https.Agent = class TrustingTheSandbox extends PlainAgent {
  constructor(options = {}) {
    super({ ...options, ca: [].concat(options.ca || [], sandboxCertificate) });
  }
};
const { createMollieClient } = require("@mollie/api-client");

const sandbox = process.env.MOLLIE_SANDBOX_URL;
const mollie = createMollieClient({ apiKey: "test_" + "n".repeat(30), apiEndpoint: `${sandbox}/v2/` });

function receiveOneWebhook() {
  // Mollie posts `id=tr_...` (form-encoded); the receiver must fetch the payment to learn more.
  return new Promise((resolve, reject) => {
    const server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        response.writeHead(200).end();
        server.close();
        resolve(new URLSearchParams(body).get("id"));
      });
    });
    server.listen(0, "127.0.0.1", () => {
      server.webhookUrl = `http://127.0.0.1:${server.address().port}/payments/webhook/`;
      started(server);
    });
    let started;
    const timer = setTimeout(() => reject(new Error("no webhook within 20 s")), 20000);
    timer.unref();
    receiveOneWebhook.ready = new Promise((ready) => (started = ready));
  });
}

async function main() {
  const webhook = receiveOneWebhook();
  const server = await receiveOneWebhook.ready;
  const created = await mollie.payments.create({
    amount: { currency: "EUR", value: "24.95" },
    description: "Order 7 from a Node shop",
    redirectUrl: "https://webshop.example.org/order/7/",
    webhookUrl: server.webhookUrl,
    metadata: { order_id: "7" },
  });
  const page = await fetch(created.getCheckoutUrl(), {
    method: "POST",
    body: new URLSearchParams({ method: "ideal", status: "paid" }),
    redirect: "manual",
  });
  const webhookPaymentId = await webhook;
  const paid = await mollie.payments.get(webhookPaymentId);
  const refund = await mollie.paymentRefunds.create({ paymentId: paid.id, amount: { currency: "EUR", value: "5.00" } });
  console.log(
    JSON.stringify({
      createdStatus: created.status,
      checkoutAnswer: page.status,
      redirectedTo: page.headers.get("location"),
      webhookPaymentId,
      createdId: created.id,
      paidStatus: paid.status,
      method: paid.method,
      amountRemaining: paid.amountRemaining,
      refundStatus: refund.status,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
