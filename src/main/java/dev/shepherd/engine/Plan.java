package dev.shepherd.engine;

import java.time.Instant;
import java.util.List;

/**
 * What the executor must do after a decision. The status was already updated to match: started
 * steps are Running, stopped ones are Failed or Retrying.
 *
 * @param start attempts to start, in spec order
 * @param stop steps whose running attempt must be killed (timed out, or the workflow ended)
 * @param wakeAt when to decide again if nothing happens before (a retry's backoff, a timeout); null
 *     when only a step's end can change anything
 */
public record Plan(List<StepStart> start, List<String> stop, Instant wakeAt) {
  public static final Plan NOTHING = new Plan(List.of(), List.of(), null);
}
