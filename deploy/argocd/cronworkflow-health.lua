-- Argo CD health check for shepherd.dev/CronWorkflow.
-- Install: see deploy/argocd/README.md (argocd-cm key
-- resource.customizations.health.shepherd.dev_CronWorkflow).
-- Lua 5.1 (gopher-lua), base/table/string/math only; tested by ArgoCdCronWorkflowHealthTest.
--
--   no status                            -> Progressing "Waiting for the controller"
--   observedGeneration < generation      -> Progressing (the controller has not seen the edit)
--   Ready False / Stalled True           -> Degraded, the condition's reason and message (a
--                                           schedule or time zone that can't be read)
--   spec.suspend                         -> Suspended
--   the last Workflow to end failed      -> Degraded
--   otherwise                            -> Healthy, the Ready message ("Next run at ...")
--
-- The status records no run's outcome, only lastScheduleTime (the scheduled time of the last
-- Workflow created) and lastSuccessfulTime (when the last one that succeeded finished): with no
-- Workflow active, a last success that finished before the last scheduled time means that the
-- Workflow of that time ended without success.
--
-- Argo CD runs each kind's script alone (no require), so the helpers and the generation check
-- repeat those of health.lua.
local hs = {}

local function nonEmpty(s)
  return s ~= nil and s ~= ""
end

local function condition(status, ctype)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == ctype then
      return c
    end
  end
  return nil
end

-- "InvalidSpec: schedule ...", or whichever part exists.
local function describe(c)
  if nonEmpty(c.reason) and nonEmpty(c.message) then
    return c.reason .. ": " .. c.message
  elseif nonEmpty(c.message) then
    return c.message
  elseif nonEmpty(c.reason) then
    return c.reason
  end
  return "The CronWorkflow is not ready"
end

-- An RFC 3339 time in UTC as its digits to the second ("20261206020000"), so that two times
-- compare as strings whatever fraction of a second either carries.
local function seconds(t)
  return string.sub(string.gsub(t, "%D", ""), 1, 14)
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the controller"
  return hs
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
if generation ~= nil and status.observedGeneration ~= nil
    and status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the controller to observe generation " .. tostring(generation)
      .. " (status is of generation " .. tostring(status.observedGeneration) .. ")"
  return hs
end

local ready = condition(status, "Ready")
local stalled = condition(status, "Stalled")
if (ready ~= nil and ready.status == "False") or (stalled ~= nil and stalled.status == "True") then
  hs.status = "Degraded"
  if ready ~= nil and ready.status == "False" then
    hs.message = describe(ready)
  else
    hs.message = describe(stalled)
  end
  return hs
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended: no Workflow is created until spec.suspend is false"
  return hs
end

local active = status.active ~= nil and #status.active > 0
if not active and nonEmpty(status.lastScheduleTime)
    and (not nonEmpty(status.lastSuccessfulTime)
      or seconds(status.lastSuccessfulTime) < seconds(status.lastScheduleTime)) then
  hs.status = "Degraded"
  hs.message = "The Workflow of " .. status.lastScheduleTime .. " did not succeed"
  if nonEmpty(status.lastSuccessfulTime) then
    hs.message = hs.message .. "; the last success finished at " .. status.lastSuccessfulTime
  end
  return hs
end

hs.status = "Healthy"
if active then
  hs.message = "Running " .. table.concat(status.active, ", ")
elseif ready ~= nil and nonEmpty(ready.message) then
  hs.message = ready.message
else
  hs.message = "Scheduled"
end
return hs
