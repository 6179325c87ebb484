-- wrk script of bench/http.py (issue 14): the web chat over HTTP.
--
--   wrk -t T -s bench/http_turns.lua URL -- create FILE T PEOPLE   open PEOPLE chats
--   wrk -t T -s bench/http_turns.lua URL -- post FILE T            free text to those chats
--   wrk -t T -s bench/http_turns.lua URL -- journey FILE T         the housing journey
--
-- "create" appends each new chat's id to FILE.<thread> as it is answered; bench/http_load.py
-- stops wrk (SIGINT) once PEOPLE are there and joins them into FILE for "post".
--
-- Every chat has its own client address (X-Forwarded-For, trusted from 127.0.0.1 by
-- uvicorn), so the per-address limits are spread as across real people; the per-person
-- and new-session limits stay on. Every message has a new message_id (no duplicates).
-- "journey": the chats play the journey's steps, round robin; each thread writes FILE.done.<thread>
-- and stops once it has as many answers as its chats have steps (bench/http_load.py then
-- stops wrk). A chat whose journey is done opens Housing again meanwhile (a real turn).
-- done() prints one JSON line: requests, duration, errors, latency percentiles, turns.

local threads = {}
local counter = 1

function setup(thread)
   thread:set("tid", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

local mode, file, nthreads, people
local out = nil      -- "create": this thread's file of ids
local made = 0
local wanted = 0
local sent = 0
local sessions = {}  -- "post": {id, address}
local next_one = 1
local seq = 0
bad = 0  -- answers other than 200/201 (global: done() reads it)

-- Free text a person types: each goes through understanding. "post" makes every text
-- unique (the message's number appended), so the understanding's memo of short texts
-- (conversations/understanding/encoder.py) never answers: the worst case.
local texts = {
   "I need somewhere to sleep tonight",
   "Clermont-Ferrand",
   "I cannot pay my rent any more",
   "can someone call me back please",
}

-- "journey": the housing journey of bench/journey.py after the chat is open, read from
-- FILE.journey ("kind value" per line, written by bench/http_load.py), each chat at its
-- own step.
local journey = {}
local AGAIN = 3     -- "journey": the step after the last one: "menu.main.housing" again
answered = 0  -- "journey": turns answered (global: done() reads it)
local run = "w"     -- "journey": tag of the run, in every message id
local total = 0

local function address(n)
   return string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
end

function init(args)
   mode, file = args[1], args[2]
   nthreads, people = tonumber(args[3] or "1"), tonumber(args[4] or "0")
   if mode == "create" then
      -- this thread opens chats tid, tid + nthreads, …
      for n = tid, people, nthreads do wanted = wanted + 1 end
      out = assert(io.open(file .. "." .. tid, "w"))
   else
      if mode == "journey" then
         for line in io.lines(file .. ".journey") do
            local kind, value = string.match(line, "^(%S+) (.+)$")
            table.insert(journey, {kind, value})
         end
      end
      run = args[4] or run
      local n = 0
      for line in io.lines(file) do
         n = n + 1
         if (n - tid) % nthreads == 0 then
            table.insert(sessions, {line, address(n)})
         end
      end
      total = #sessions * #journey
   end
end

-- A number no other thread of this run uses (each thread counts its own seq).
local function unique()
   return seq * nthreads + tid
end

function request()
   if mode == "create" then
      sent = sent + 1
      local n = tid + (sent - 1) * nthreads
      if sent > wanted then n = tid end  -- extra requests once all are sent (rare): reuse
      return wrk.format("POST", "/webchat/sessions",
         {["Content-Type"] = "application/json", ["X-Forwarded-For"] = address(n)},
         '{"lang": "en", "source": "bench"}')
   end
   seq = seq + 1
   local body
   if mode == "journey" then
      local s = sessions[next_one]
      next_one = next_one % #sessions + 1
      local step = s[3] or 1
      -- after "contact me", the chat starts Housing again (until the run is stopped)
      s[3] = step < #journey and step + 1 or AGAIN
      local value = journey[step][2]
      -- the typed town: one chat in four types it its own way (bench/journey.py), a
      -- text no thread and no earlier point has sent (the server remembers short texts)
      if journey[step][1] == "text" and (next_one + tid) % 4 == 0 then
         value = value .. ", quartier " .. run .. "-" .. unique()
      end
      body = string.format('{"%s": "%s", "message_id": "%s-%d-%d"}',
         journey[step][1], value, run, tid, seq)
      return wrk.format("POST", "/webchat/sessions/" .. s[1] .. "/messages",
         {["Content-Type"] = "application/json", ["X-Forwarded-For"] = s[2]}, body)
   end
   local s = sessions[next_one]
   next_one = next_one % #sessions + 1
   body = string.format('{"text": "%s %d", "message_id": "%s-%d-%d"}',
      texts[seq % #texts + 1], unique(), run, tid, seq)
   return wrk.format("POST", "/webchat/sessions/" .. s[1] .. "/messages",
      {["Content-Type"] = "application/json", ["X-Forwarded-For"] = s[2]}, body)
end

function response(status, headers, body)
   if mode == "journey" then
      answered = answered + 1
      if answered >= total then
         local marker = assert(io.open(file .. ".done." .. tid, "w"))
         marker:close()
         wrk.thread:stop()
      end
   end
   if status ~= 200 and status ~= 201 then
      bad = bad + 1
      return
   end
   if mode == "create" then
      local id = string.match(body, '"session_id"%s*:%s*"([^"]+)"')
      if id and made < wanted then
         made = made + 1
         out:write(id, "\n")
         out:flush()
         if made >= wanted then wrk.thread:stop() end
      end
   end
end

function done(summary, latency, requests)
   local bad_total = 0
   local turns = 0
   for _, thread in ipairs(threads) do
      bad_total = bad_total + (thread:get("bad") or 0)
      turns = turns + (thread:get("answered") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "turns": %d, "duration_us": %d, "bytes": %d, "not_ok": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
      summary.requests, turns, summary.duration, summary.bytes, bad_total,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
