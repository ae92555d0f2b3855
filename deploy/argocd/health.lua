-- Argo CD health check for shepherd.dev/Workflow.
-- Install: see deploy/argocd/README.md (argocd-cm key
-- resource.customizations.health.shepherd.dev_Workflow).
-- Lua 5.1 (gopher-lua), base/table/string/math only; tested by ArgoCdHealthTest with luaj.
--
--   no status / no phase                 -> Progressing "Waiting for the controller"
--   observedGeneration < generation      -> Progressing (the controller has not seen the edit)
--   Pending / Running                    -> Progressing, status.message or the progress
--   Suspended (spec.suspend)             -> Suspended, status.message
--   Succeeded                            -> Healthy
--   Failed                               -> Degraded, status.message or the Failed condition's
--   a phase unknown to this script       -> from the conditions (Failed/Stalled True -> Degraded,
--                                           Complete -> Healthy, Reconciling -> Progressing),
--                                           else Unknown
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

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

-- "InvalidSpec: step b depends on unknown step x", or whichever part exists.
local function describe(c)
  if c == nil then
    return nil
  end
  if nonEmpty(c.reason) and nonEmpty(c.message) then
    return c.reason .. ": " .. c.message
  elseif nonEmpty(c.message) then
    return c.message
  elseif nonEmpty(c.reason) then
    return c.reason
  end
  return nil
end

local status = obj.status
if status == nil or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the controller"
  return hs
end

-- Like kstatus: compare only when both are there. A status from an older generation says
-- nothing about the current spec.
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

local phase = status.phase
local failed = condition(status, "Failed")
local stalled = condition(status, "Stalled")
local complete = condition(status, "Complete")
local reconciling = condition(status, "Reconciling")

-- The phase decides. The conditions decide only for a phase this script does not know (a newer
-- operator), and they fill in a message when status.message is empty.
if phase == "Suspended" then
  hs.status = "Suspended"
  if nonEmpty(status.message) then
    hs.message = status.message
  else
    hs.message = "Suspended"
  end
  return hs
end

if phase ~= "Pending" and phase ~= "Running" and phase ~= "Succeeded" and phase ~= "Failed" then
  if isTrue(failed) or isTrue(stalled) then
    phase = "Failed"
  elseif isTrue(complete) then
    phase = "Succeeded"
  elseif isTrue(reconciling) then
    phase = "Running"
  else
    hs.status = "Unknown"
    hs.message = "Unknown phase " .. tostring(status.phase)
    return hs
  end
end

if phase == "Failed" or phase == "Cancelled" then
  hs.status = "Degraded"
  if nonEmpty(status.message) then
    hs.message = status.message
  elseif describe(failed) ~= nil then
    hs.message = describe(failed)
  elseif describe(stalled) ~= nil then
    hs.message = describe(stalled)
  else
    hs.message = "Workflow failed"
  end
  return hs
end

if phase == "Succeeded" then
  hs.status = "Healthy"
  if nonEmpty(status.message) then
    hs.message = status.message
  elseif nonEmpty(status.progress) then
    hs.message = "Succeeded: " .. status.progress .. " steps"
  else
    hs.message = "Succeeded"
  end
  return hs
end

-- Pending or Running.
hs.status = "Progressing"
if nonEmpty(status.message) then
  hs.message = status.message
elseif nonEmpty(status.progress) then
  hs.message = phase .. ": " .. status.progress .. " steps finished"
elseif reconciling ~= nil and nonEmpty(reconciling.message) then
  hs.message = reconciling.message
else
  hs.message = phase
end
return hs
