package dev.shepherd.supervisor;

/** Linux signal numbers (the same on x86_64 and aarch64), 1 to 31. */
public enum Signal {
  HUP(1),
  INT(2),
  QUIT(3),
  ILL(4),
  TRAP(5),
  ABRT(6),
  BUS(7),
  FPE(8),
  KILL(9),
  USR1(10),
  SEGV(11),
  USR2(12),
  PIPE(13),
  ALRM(14),
  TERM(15),
  STKFLT(16),
  CHLD(17),
  CONT(18),
  STOP(19),
  TSTP(20),
  TTIN(21),
  TTOU(22),
  URG(23),
  XCPU(24),
  XFSZ(25),
  VTALRM(26),
  PROF(27),
  WINCH(28),
  IO(29),
  PWR(30),
  SYS(31);

  private final int number;

  Signal(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  /** The signal with this number; {@link IllegalArgumentException} outside 1..31. */
  public static Signal of(int number) {
    if (number < 1 || number > 31) {
      throw new IllegalArgumentException("no signal " + number);
    }
    return values()[number - 1];
  }

  /** SIGKILL and SIGSTOP: no handler can be set and no default restored for these two. */
  public boolean catchable() {
    return this != KILL && this != STOP;
  }

  @Override
  public String toString() {
    return "SIG" + name();
  }
}
