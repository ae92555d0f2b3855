package dev.shepherd.engine.expr.cel;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.types.CelType;
import dev.cel.common.types.TypeType;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import dev.shepherd.engine.expr.Templates;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Between shepherd's plain Java values (String, Long, Double, Boolean, List, Map with String keys,
 * and null inside a list or map for JSON's null) and CEL's runtime values.
 */
final class Values {
  private Values() {}

  /**
   * A plain value as CEL's runtime takes it: CEL has no Integer or Float (they would match no
   * overload), and its null is an object.
   */
  static Object toCel(Object value) {
    return switch (value) {
      case null -> NullValue.NULL_VALUE;
      case Integer i -> i.longValue();
      case Short s -> s.longValue();
      case Byte b -> b.longValue();
      case Float f -> f.doubleValue();
      case List<?> list -> {
        List<Object> out = new ArrayList<>(list.size());
        for (Object e : list) {
          out.add(toCel(e));
        }
        yield out;
      }
      case Map<?, ?> map -> {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          out.put(toCel(e.getKey()), toCel(e.getValue()));
        }
        yield out;
      }
      default -> value;
    };
  }

  /**
   * A CEL result as a plain value: map keys as text, bytes as UTF-8 text, timestamps and durations
   * as CEL's {@code string()} writes them, a type as its name.
   *
   * @throws IllegalArgumentException for a value shepherd has no plain form for, naming its class
   */
  static Object toPlain(Object value) {
    return switch (value) {
      case null -> null;
      case NullValue n -> null;
      case String s -> s;
      case Long l -> l;
      case Double d -> d;
      case Boolean b -> b;
      case List<?> list -> {
        List<Object> out = new ArrayList<>(list.size());
        for (Object e : list) {
          out.add(toPlain(e));
        }
        yield out;
      }
      case Map<?, ?> map -> {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          out.put(Templates.text(toPlain(e.getKey())), toPlain(e.getValue()));
        }
        yield out;
      }
      case CelByteString bytes -> bytes.toStringUtf8();
      case UnsignedLong u ->
          u.compareTo(UnsignedLong.valueOf(Long.MAX_VALUE)) <= 0 ? u.longValue() : u.toString();
      case Instant instant -> instant.toString();
      case Duration duration -> durationText(duration);
      case TypeType type when !type.parameters().isEmpty() -> type.parameters().getFirst().name();
      case CelType type -> type.name();
      default ->
          throw new IllegalArgumentException(
              "a value of type " + value.getClass().getName() + ", which shepherd cannot use");
    };
  }

  /** As CEL writes a duration: seconds, with a fraction only when there is one ("90s", "1.5s"). */
  private static String durationText(Duration duration) {
    BigDecimal seconds =
        BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    return seconds.stripTrailingZeros().toPlainString() + "s";
  }
}
