// Launches the telegram-test-api Bot API emulator for the Telegram end-to-end tests.
//
// Usage: node launch-emulator.js   (prints {"port": N} on stdout once listening on
// 127.0.0.1:N, a free port; stops on SIGTERM, SIGINT or when stdin closes).
//
// The emulator deviates from the real Bot API; the deviations are corrected HERE, in the
// test harness, never in Relais's adapters:
//   1. getMe lacks `is_bot` (python-telegram-bot and aiogram both require it).
//   2. sendMessage answers with `date` in milliseconds; the Bot API uses Unix seconds.
//   3. getUpdates ignores `offset` and `timeout`: every update is returned once and then
//      forgotten. Here updates stay until confirmed by a later offset (as on Telegram),
//      and an empty queue is long-polled for up to `timeout` seconds.
//   4. Callback queries lose every field but id/from/message/data (no `chat_instance`),
//      and updates carry the emulator's internal `botToken` field.
//   5. Webhook deliveries lack the X-Telegram-Bot-Api-Secret-Token header, reuse an
//      update_id when two arrive at once, and crash the process when the bot answers
//      with an error (unhandled rejection).
//   6. answerCallbackQuery, setWebhook and deleteWebhook answer `result: null`, not true.
//   7. setMyCommands/getMyCommands are missing: kept in memory per language_code.
//   8. sendVoice is missing, and multipart bodies (files) are not read: the voice note is
//      kept as a bot message with `voice` {duration, mime_type, file_size} and `voice_ogg`
//      (whether the file is Ogg with an Opus stream), for the tests to read.
// Extra client routes for assertions: POST /answeredCallbacks {token}, POST /myCommands
// {token}, POST /webhookInfo {token}.
'use strict';

const express = require('express');
const TelegramServer = require('telegram-test-api');
const { routes } = require('telegram-test-api/lib/routes/index');

const BOT_USER = { id: 666, is_bot: true, first_name: 'Relais Test Bot', username: 'TestNameBot' };
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
let closing = false;

function params(req) {
  return { ...req.query, ...req.body };
}

// The fields of a multipart/form-data body: {name: Buffer}; `attach://x` names another part.
function multipart(body, contentType) {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType || '');
  const fields = {};
  if (!boundary || !Buffer.isBuffer(body)) return fields;
  const delimiter = Buffer.from(`--${boundary[1]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // CRLF after/before
    const split = part.indexOf('\r\n\r\n');
    const name = /name="([^"]+)"/i.exec(part.subarray(0, split).toString());
    if (split !== -1 && name) fields[name[1]] = part.subarray(split + 4);
    start = next;
  }
  for (const [key, value] of Object.entries(fields)) {
    const text = value.toString();
    if (text.startsWith('attach://') && fields[text.slice(9)]) fields[key] = fields[text.slice(9)];
  }
  return fields;
}

function stripInternal(update) {
  const { botToken, ...rest } = update;
  return rest;
}

// (4) keep every field the test client sent, drop the emulator's bookkeeping.
TelegramServer.formatUpdate = (update) => {
  if ('callbackQuery' in update) {
    return {
      update_id: update.updateId,
      callback_query: { ...stripInternal(update.callbackQuery), id: String(update.callbackId) },
    };
  }
  return {
    update_id: update.updateId,
    message: { ...stripInternal(update.message), message_id: update.messageId },
  };
};

// (2) dates in seconds, and the sender of the bot's messages is the bot.
const addBotMessage = TelegramServer.prototype.addBotMessage;
TelegramServer.prototype.addBotMessage = function addBotMessageFixed(rawMessage, botToken) {
  const message = addBotMessage.call(this, rawMessage, botToken);
  const { chat_id: chatId, ...fixed } = message;
  return { ...fixed, date: Math.floor(message.date / 1000), from: BOT_USER };
};

// (5) a fresh update_id at once, the secret header, and failures logged, not thrown.
TelegramServer.prototype.addUserUpdate = async function addUserUpdateFixed(update) {
  this.updateId += 1;
  const webhook = this.webhooks[update.botToken];
  if (!webhook) {
    this.storage.userMessages.push(update);
    return;
  }
  const headers = { 'content-type': 'application/json' };
  if (webhook.secret_token) headers['x-telegram-bot-api-secret-token'] = webhook.secret_token;
  try {
    const response = await fetch(webhook.url, {
      method: 'POST', headers, body: JSON.stringify(TelegramServer.formatUpdate(update)),
    });
    if (!response.ok) console.error(`emulator: webhook answered ${response.status}`);
  } catch (error) {
    console.error(`emulator: webhook unreachable: ${error}`);
  }
};

function corrected(app, server) {
  const ok = (res, result) => res.json({ ok: true, result });
  server.answered = server.answered || {};
  server.commands = server.commands || {};
  app.all('/bot:token/getMe', (req, res) => ok(res, BOT_USER)); // (1)
  app.all('/bot:token/getUpdates', async (req, res) => { // (3)
    const { token } = req.params;
    const p = params(req);
    const offset = Number(p.offset || 0);
    const limit = Number(p.limit || 100);
    const deadline = Date.now() + Math.min(Number(p.timeout || 0), 50) * 1000;
    const mine = () => server.storage.userMessages.filter((u) => u.botToken === token);
    if (offset) {
      server.storage.userMessages = server.storage.userMessages.filter(
        (u) => u.botToken !== token || u.updateId >= offset,
      );
    }
    while (!mine().length && Date.now() < deadline && !closing) await sleep(25);
    ok(res, mine().slice(0, limit).map((u) => TelegramServer.formatUpdate(u)));
  });
  app.all('/bot:token/answerCallbackQuery', (req, res) => { // (6)
    const { token } = req.params;
    (server.answered[token] = server.answered[token] || []).push(params(req).callback_query_id);
    ok(res, true);
  });
  app.all('/bot:token/setWebhook', (req, res) => {
    const p = params(req);
    server.setWebhook({ url: p.url, secret_token: p.secret_token }, req.params.token);
    ok(res, true);
  });
  app.all('/bot:token/deleteWebhook', (req, res) => {
    server.deleteWebhook(req.params.token);
    ok(res, true);
  });
  app.all('/bot:token/setMyCommands', (req, res) => { // (7)
    const p = params(req);
    const list = typeof p.commands === 'string' ? JSON.parse(p.commands) : p.commands;
    server.commands[req.params.token] = server.commands[req.params.token] || {};
    server.commands[req.params.token][p.language_code || ''] = list;
    ok(res, true);
  });
  app.all('/bot:token/getMyCommands', (req, res) => {
    ok(res, (server.commands[req.params.token] || {})[params(req).language_code || ''] || []);
  });
  app.post('/bot:token/sendVoice', express.raw({ type: 'multipart/form-data', limit: '20mb' }), (req, res) => { // (8)
    const fields = multipart(req.body, req.headers['content-type']);
    const file = fields.voice || Buffer.alloc(0);
    const voice = { file_id: `voice-${Date.now()}`, file_unique_id: `v${Date.now()}`, duration: 1, mime_type: 'audio/ogg', file_size: file.length };
    const ogg = file.subarray(0, 4).toString() === 'OggS' && file.subarray(0, 100).includes('OpusHead');
    const chatId = String(fields.chat_id || params(req).chat_id);
    const message = server.addBotMessage({ chat_id: chatId, voice, voice_ogg: ogg }, req.params.token);
    const { voice_ogg: checked, ...shown } = message;
    ok(res, { ...shown, date: Math.floor(Date.now() / 1000), from: BOT_USER, voice });
  });
  app.post('/answeredCallbacks', (req, res) => ok(res, server.answered[req.body.token] || []));
  app.post('/myCommands', (req, res) => ok(res, server.commands[req.body.token] || {}));
  app.post('/webhookInfo', (req, res) => ok(res, server.webhooks[req.body.token] || null));
}

routes.unshift(corrected);

async function main() {
  const server = new TelegramServer({ host: '127.0.0.1', port: 9000, storeTimeout: 600 });
  server.config.port = 0; // normalizeConfig turns 0 into 9000; listen on a free port instead
  await server.start();
  const { port } = server.server.address();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const stop = async () => {
    if (closing) return;
    closing = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
