package dev.shepherd.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Runs an Argo CD health check of deploy/argocd/ the way Argo CD does: the resource, as its JSON
 * tree, in the global {@code obj}; the chunk returns {@code {status = ..., message = ...}}. Only
 * the libraries Argo CD's sandbox opens are loaded (base, package, table, string, math), so a
 * script that reaches for io or os fails here as it would in Argo CD.
 */
public final class ArgoCdHealth {
  public static final Path WORKFLOW = Path.of("deploy", "argocd", "health.lua");
  public static final Path CRON_WORKFLOW = Path.of("deploy", "argocd", "cronworkflow-health.lua");

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  public record Health(String status, String message) {}

  private ArgoCdHealth() {}

  /** What the script at {@code script} says of {@code resource} (a model object), as JSON. */
  public static Health of(Path script, Object resource) {
    try {
      return of(Files.readString(script), tree(resource));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code script} says of {@code obj}, a JSON tree. */
  public static Health of(String script, Map<String, Object> obj) {
    Globals globals = new Globals();
    globals.load(new JseBaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    globals.load(new StringLib());
    globals.load(new JseMathLib());
    LoadState.install(globals);
    LuaC.install(globals);
    globals.set("obj", toLua(obj));
    LuaValue result = globals.load(script, "health.lua").call();
    assertTrue(result.istable(), "the health check must return a table, got " + result);
    LuaValue status = result.get("status");
    LuaValue message = result.get("message");
    return new Health(
        status.isnil() ? null : status.tojstring(), message.isnil() ? null : message.tojstring());
  }

  /** A model object as the JSON tree the API server would hand to Argo CD. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> tree(Object resource) {
    return new LinkedHashMap<>(SERIALIZATION.unmarshal(SERIALIZATION.asJson(resource), Map.class));
  }

  /** JSON tree to Lua, as Argo CD's gopher-lua conversion does: maps and 1-based arrays. */
  static LuaValue toLua(Object value) {
    if (value == null) {
      return LuaValue.NIL;
    } else if (value instanceof Map<?, ?> map) {
      LuaTable t = new LuaTable();
      map.forEach((k, v) -> t.set(String.valueOf(k), toLua(v)));
      return t;
    } else if (value instanceof List<?> list) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        t.set(i + 1, toLua(list.get(i)));
      }
      return t;
    } else if (value instanceof Boolean b) {
      return LuaValue.valueOf(b);
    } else if (value instanceof Integer || value instanceof Long) {
      return LuaInteger.valueOf(((Number) value).longValue());
    } else if (value instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    return LuaValue.valueOf(value.toString());
  }
}
