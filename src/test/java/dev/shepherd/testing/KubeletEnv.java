package dev.shepherd.testing;

import java.util.Map;

/** What the kubelet does to a container's env values, for the tests that play a kubelet. */
public final class KubeletEnv {
  private KubeletEnv() {}

  /**
   * The kubelet's expansion of an env value (k8s.io/kubernetes
   * third_party/forked/golang/expansion): {@code $$} is {@code $}, {@code $(NAME)} an earlier
   * variable's value (kept as written if unknown).
   */
  public static String expand(String in, Map<String, String> earlier) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < in.length(); i++) {
      char c = in.charAt(i);
      if (c != '$' || i + 1 == in.length()) {
        out.append(c);
        continue;
      }
      char next = in.charAt(i + 1);
      int close = next == '(' ? in.indexOf(')', i + 2) : -1;
      if (next == '$') {
        out.append('$');
      } else if (close >= 0) {
        String name = in.substring(i + 2, close);
        String known = earlier.get(name);
        out.append(known != null ? known : "$(" + name + ")");
        i = close - 1;
      } else {
        out.append('$').append(next);
      }
      i++;
    }
    return out.toString();
  }
}
